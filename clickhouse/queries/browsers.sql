-- Browsers per tenant over the last 7 days: people's requests (bots are in bots.sql) per browser family
-- (chrome, safari, firefox, edge, samsung, opera, in_app, ... and other), busiest first. unique_visitors
-- sums each day's unique visitors (a visitor's hash changes every UTC day, as in unique_visitors.sql);
-- requests under DNT or Sec-GPC, or without an address, count as hits but not as visitors.
SELECT
    tenant,
    browser,
    sumMerge(hits) AS hits,
    uniqMerge(visitors) AS unique_visitors
FROM fastingest.agents_1d
WHERE day >= today() - 7 AND is_bot = 0
GROUP BY tenant, browser
ORDER BY tenant, hits DESC, browser
