"""The offline demo site: fictional automotive news sites served on 127.0.0.1."""
