"""Open export: an account's (or the portfolio's) graph as node-link JSON, Cytoscape.js
JSON, GraphML or GEXF (docs/export.md)."""
