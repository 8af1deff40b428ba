"""Campaign API: the workflow's records (campaigns, drafts, reviews, publications, contacts, users).

Service functions take a SQLAlchemy session (the caller owns the transaction) and keyword-only arguments;
every change that matters for accountability appends an audit event in the same transaction.
"""
