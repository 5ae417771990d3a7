using System.Globalization;
using System.Threading.RateLimiting;
using FastIngest.Server.Events;
using FastIngest.Server.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace FastIngest.Server.Hosting;

/// <summary>The events API's rate limit (<see cref="ApiRateLimit.Policy"/>) from the validated <see cref="EventsOptions"/>.</summary>
internal sealed class EventRateLimiterSetup(IOptions<EventsOptions> events) : IConfigureOptions<RateLimiterOptions>
{
    public void Configure(RateLimiterOptions limiter)
    {
        EventsOptions options = events.Value;
        limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
        limiter.OnRejected = static (rejected, cancellationToken) =>
        {
            if (rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out TimeSpan retryAfter))
            {
                rejected.HttpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            }

            rejected.HttpContext.Response.ContentType = "application/json";
            return new ValueTask(rejected.HttpContext.Response.WriteAsync("{\"error\":\"Too many requests\"}", cancellationToken));
        };
        limiter.AddPolicy(ApiRateLimit.Policy, context =>
        {
            if (options.RequestsPerSecond == 0)
            {
                return RateLimitPartition.GetNoLimiter("off");
            }

            // Per API key; per client address when the API is open. The key is the partition's name
            // only in memory, never logged.
            string partition = TenantKeys.KeyOf(context.Request) is { } key ? "key:" + key : "ip:" + context.Connection.RemoteIpAddress;
            return RateLimitPartition.GetTokenBucketLimiter(partition, _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = options.Burst,
                TokensPerPeriod = options.RequestsPerSecond,
                ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                QueueLimit = 0,
                AutoReplenishment = true,
            });
        });
    }
}
