namespace FastIngest.Core.Sinks;

/// <summary>One hashed user for <c>users_1d</c>, whose write door folds hashes into uniq states.</summary>
internal readonly record struct UserRow(byte[] Tenant, ushort Day, ulong User);
