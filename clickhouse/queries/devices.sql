-- Devices and operating systems per tenant over the last 7 days: people's requests (bots are in
-- bots.sql) per device class (desktop, mobile, tablet, unknown) and OS family (windows, macos, ios,
-- android, linux, chromeos, other), busiest first. iPadOS Safari sends a Mac's agent: it counts as
-- macos desktop (docs/agents.md). unique_visitors sums each day's unique visitors, as in browsers.sql.
SELECT
    tenant,
    device,
    os,
    sumMerge(hits) AS hits,
    uniqMerge(visitors) AS unique_visitors
FROM fastingest.agents_1d
WHERE day >= today() - 7 AND is_bot = 0
GROUP BY tenant, device, os
ORDER BY tenant, hits DESC, device, os
