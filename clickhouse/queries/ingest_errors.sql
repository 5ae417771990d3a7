-- What FastIngest refused in the last day, by reason, with one sample each.
SELECT
    source,
    tenant,
    reason,
    sum(count) AS rejected,
    anyIf(sample, sample != '') AS example
FROM fastingest.ingest_errors
WHERE time >= now() - INTERVAL 1 DAY
GROUP BY source, tenant, reason
ORDER BY rejected DESC
