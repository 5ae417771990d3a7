namespace FastIngest.Core.Internal;

/// <summary>
/// A small locked pool for objects that cross threads once per batch (a source rents, a shard returns),
/// so one lock per batch costs nothing next to the batch. Keeps at most <see cref="MaxRetained"/>
/// so a burst does not pin memory for ever.
/// </summary>
internal sealed class ObjectPool<T> where T : class, IResettable, new()
{
    private readonly Stack<T> _free = new();
    private readonly Lock _lock = new();

    public ObjectPool(int maxRetained = 1024) => MaxRetained = maxRetained;

    public int MaxRetained { get; }

    public T Rent()
    {
        lock (_lock)
        {
            if (_free.TryPop(out T? item))
            {
                return item;
            }
        }

        return new T();
    }

    public void Return(T item)
    {
        item.Reset();
        lock (_lock)
        {
            if (_free.Count < MaxRetained)
            {
                _free.Push(item);
            }
        }
    }
}
