-- The 10 referrers (source group and host) with the most visits per tenant over the last 7 UTC days and
-- today, and the rest of each group summed into host '(other)', so every group's visits, and the
-- tenant's, add up to referrers_1d exactly. visits counts requests arriving with that referrer (see
-- clickhouse/schema.sql); visitors are unique visitors of the referrer (of the folded ones together for
-- '(other)'), so they don't add up across rows. direct has host ''. A budget fold of the server (host
-- '(other)' in referrers_1d) joins this row. referrers_1d holds aggregate states: read with -Merge.
SELECT
    tenant,
    source_group,
    if(top = 1, host, '(other)') AS referrer,
    sumMerge(visits) AS visits,
    uniqIfMerge(visitors) AS visitors
FROM
(
    SELECT tenant, source_group, host, visits, visitors
    FROM fastingest.referrers_1d
    WHERE day >= today() - 7
) AS counted
ANY LEFT JOIN
(
    SELECT tenant, source_group, host, 1 AS top
    FROM
    (
        SELECT tenant, source_group, host, sumMerge(visits) AS host_visits
        FROM fastingest.referrers_1d
        WHERE day >= today() - 7
        GROUP BY tenant, source_group, host
    )
    ORDER BY tenant, host_visits DESC, source_group, host
    LIMIT 10 BY tenant
) AS top_referrers USING (tenant, source_group, host)
GROUP BY tenant, source_group, referrer
ORDER BY tenant, referrer = '(other)', visits DESC, source_group, referrer
