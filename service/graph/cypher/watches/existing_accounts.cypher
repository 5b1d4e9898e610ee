// Which of the given ids are stored as Account (a watch's scope must name stored
// accounts): one seek of the Account id uniqueness index per id.
UNWIND $ids AS id
MATCH (a:Account {id: id})
RETURN a.id AS id
