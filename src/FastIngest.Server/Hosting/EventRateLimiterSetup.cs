using System.Globalization;
using System.Threading.RateLimiting;
using FastIngest.Server.Events;
using FastIngest.Server.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace FastIngest.Server.Hosting;

/// <summary>The events API's rate limit (<see cref="ApiRateLimit.Policy"/>) from the validated <see cref="EventsOptions"/>.</summary>
internal sealed class EventRateLimiterSetup(IOptions<EventsOptions> events, ApiRefusals refusals) : IConfigureOptions<RateLimiterOptions>
{
    public void Configure(RateLimiterOptions limiter)
    {
        EventsOptions options = events.Value;
        limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
        limiter.OnRejected = (rejected, cancellationToken) =>
        {
            refusals.CountRequestRate();
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

            // Per verified tenant; per client address when the API is open (ApiAuthentication ran first, so an
            // invented key never gets here). ASP.NET Core drops a partition whose bucket has been full for
            // 10 s (its 100 ms replenishment timer), so address partitions are those seen in the last
            // Burst / RequestsPerSecond + 10 seconds; IPv6 counts by /64.
            return RateLimitPartition.GetTokenBucketLimiter(ApiCaller.Of(context).Partition, _ => new TokenBucketRateLimiterOptions
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
