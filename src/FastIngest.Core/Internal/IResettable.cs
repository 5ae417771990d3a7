namespace FastIngest.Core.Internal;

/// <summary>An object that <see cref="ObjectPool{T}"/> can hand out again after <see cref="Reset"/>.</summary>
internal interface IResettable
{
    void Reset();
}
