using System.IO.Hashing;
using System.Text;

namespace FastIngest.Core.Aggregation;

/// <summary>
/// The tenants a pixel may name (<c>FastIngest:Pixel:AllowedTenants</c>). Pixels are public URLs: without
/// a list anyone can invent tenants; with one, strangers' hits are rejected and never become tenants.
/// </summary>
internal sealed class TenantAllowList
{
    public static readonly TenantAllowList Everyone = new([]);

    private readonly Dictionary<ulong, byte[]> _byHash = [];

    public TenantAllowList(IEnumerable<string> tenants)
    {
        foreach (string tenant in tenants)
        {
            byte[] name = Encoding.UTF8.GetBytes(tenant);
            if (!Parsing.NameRules.IsValid(name))
            {
                throw new ArgumentException($"'{tenant}' is not a valid tenant name: 1-64 characters of [A-Za-z0-9_.-]", nameof(tenants));
            }

            _byHash[XxHash3.HashToUInt64(name)] = name;
        }
    }

    public bool AllowsEveryone => _byHash.Count == 0;

    public bool Allows(ReadOnlySpan<byte> tenant) =>
        AllowsEveryone || (_byHash.TryGetValue(XxHash3.HashToUInt64(tenant), out byte[]? name) && tenant.SequenceEqual(name));
}
