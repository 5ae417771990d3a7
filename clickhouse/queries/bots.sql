-- Bots per tenant over the last 7 days: crawlers, headless browsers, HTTP libraries, uptime monitors,
-- generic tells ('unnamed', with requests that sent no user agent) by family (google, bing, openai,
-- curl, python_requests, uptimerobot, ...), busiest first, with their share of the tenant's requests
-- (people's and bots' together). Bots are not visitors unless FastIngest:Aggregation:CountBotsAsVisitors
-- is on (then unique_visitors counts them like browsers.sql does; otherwise it is 0).
SELECT
    tenant,
    bot,
    hits,
    round(hits / tenant_hits, 4) AS share_of_requests,
    unique_visitors
FROM
(
    SELECT tenant, bot, sumMerge(hits) AS hits, uniqMerge(visitors) AS unique_visitors
    FROM fastingest.agents_1d
    WHERE day >= today() - 7 AND is_bot = 1
    GROUP BY tenant, bot
) AS bots
ANY INNER JOIN
(
    SELECT tenant, sumMerge(hits) AS tenant_hits
    FROM fastingest.agents_1d
    WHERE day >= today() - 7
    GROUP BY tenant
) AS tenants USING tenant
ORDER BY tenant, hits DESC, bot
