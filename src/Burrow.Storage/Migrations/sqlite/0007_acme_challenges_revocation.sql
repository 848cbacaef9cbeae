-- Migration 7: pending ACME challenge answers, and revoked certificates. The edge whose order asked for a
-- validation writes its answer here before telling the CA to validate, so whichever edge of a cluster the CA
-- reaches (its port 80 or 443, or its DNS server) can answer. Rows go when the authorization is done; expires_at bounds a row its edge never removed.
CREATE TABLE acme_challenges (
    type               TEXT NOT NULL CHECK (type IN ('http-01', 'tls-alpn-01', 'dns-01')),
    -- http-01: the token; tls-alpn-01: the name; dns-01: the record name _acme-challenge.NAME (lowercase, no final dot)
    challenge_key      TEXT NOT NULL,
    key_authorization  TEXT NOT NULL,
    expires_at         INTEGER NOT NULL,
    PRIMARY KEY (type, challenge_key, key_authorization)
);

-- The serial of a certificate the operator revoked (burrow admin certs revoke): every edge replaces a certificate whose
-- serial is here at once, whatever its renewal time. Saving the replacement clears it.
ALTER TABLE certificates ADD COLUMN revoked_serial TEXT;
