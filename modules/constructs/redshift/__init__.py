"""Redshift constructs (docs/redshift.md): the private network, the warehouse, the Data API statements (with the
lifecycle that survives statement expiry), the producer's datashares and the subscriber's datashare databases."""
