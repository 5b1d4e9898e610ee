"""CRM sync: Salesforce and HubSpot exports translated into a source-neutral snapshot.

``salesforce.py`` and ``hubspot.py`` read a CRM's own export format into a
:class:`~service.domain.sync.snapshot.CrmSnapshot`, using the picklist mappings of
``mappings.toml`` (``mappings.py``); ``batch.py`` turns a snapshot into the rows of the
generic ingest batch. See docs/crm-sync.md.
"""
