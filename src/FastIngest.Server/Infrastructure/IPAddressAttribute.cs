using System.ComponentModel.DataAnnotations;
using System.Net;

namespace FastIngest.Server.Infrastructure;

/// <summary>The value is an IPv4 or IPv6 address (a bind address), so a typo fails the start naming the key.</summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class IPAddressAttribute : ValidationAttribute
{
    public IPAddressAttribute()
        : base("The field {0} must be an IP address such as 0.0.0.0 or 127.0.0.1.")
    {
    }

    public override bool IsValid(object? value) => value is string text && IPAddress.TryParse(text, out _);
}
