"""Vững Bước indexer: document schemas, the store, the outbox and the search backends."""
