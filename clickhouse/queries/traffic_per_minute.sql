-- One tenant's last hour, minute by minute (replace 'shop').
SELECT
    minute,
    sum(requests) AS total_requests,
    sum(bytes_sent) AS total_bytes_sent,
    sum(status_4xx) AS client_errors,
    sum(status_5xx) AS server_errors
FROM fastingest.traffic_1m
WHERE tenant = 'shop' AND minute >= now() - INTERVAL 1 HOUR
GROUP BY minute
ORDER BY minute
