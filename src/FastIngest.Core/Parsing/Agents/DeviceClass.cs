namespace FastIngest.Core.Parsing.Agents;

/// <summary>The class of device an agent claims; <see cref="Unknown"/> when nothing in it says (libraries, most bots).</summary>
internal enum DeviceClass : byte
{
    Unknown = 0,
    Desktop,
    Mobile,
    Tablet,
}
