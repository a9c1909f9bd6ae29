namespace OpenSesame.Predictor.Caching;

/// <summary>
/// A bounded map that forgets its least recently used entry first. One lock guards everything: a lookup is a
/// dictionary probe and a list splice, far cheaper than recomputing what is cached, so contention does not matter.
/// </summary>
internal sealed class LruCache<TKey, TValue>
    where TKey : notnull
{
    private readonly Dictionary<TKey, LinkedListNode<(TKey Key, TValue Value)>> _entries;
    private readonly LinkedList<(TKey Key, TValue Value)> _recency = new();
    private readonly Lock _lock = new();

    public LruCache(int capacity, IEqualityComparer<TKey>? comparer = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        _entries = new Dictionary<TKey, LinkedListNode<(TKey Key, TValue Value)>>(comparer);
    }

    public int Capacity { get; }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>The value under <paramref name="key"/>, which becomes the most recently used.</summary>
    public bool TryGet(TKey key, out TValue value)
    {
        lock (_lock)
        {
            if (_entries.TryGetValue(key, out var node))
            {
                _recency.Remove(node);
                _recency.AddFirst(node);
                value = node.Value.Value;
                return true;
            }
        }

        value = default!;
        return false;
    }

    /// <summary>The value already under <paramref name="key"/>, or <paramref name="value"/> added as the most recently used.</summary>
    public TValue GetOrAdd(TKey key, TValue value)
    {
        lock (_lock)
        {
            if (TryGet(key, out var existing))
            {
                return existing;
            }

            Set(key, value);
            return value;
        }
    }

    /// <summary>Forgets the value under <paramref name="key"/>, if any.</summary>
    public void Remove(TKey key)
    {
        lock (_lock)
        {
            if (_entries.Remove(key, out var node))
            {
                _recency.Remove(node);
            }
        }
    }

    /// <summary>Forgets every value whose key matches <paramref name="match"/>.</summary>
    public void Clear(Func<TKey, bool> match)
    {
        lock (_lock)
        {
            foreach (var key in _entries.Keys.Where(match).ToList())
            {
                Remove(key);
            }
        }
    }

    /// <summary>Adds or replaces the value as the most recently used, evicting the least recently used beyond capacity.</summary>
    public void Set(TKey key, TValue value)
    {
        lock (_lock)
        {
            if (_entries.TryGetValue(key, out var node))
            {
                _recency.Remove(node);
                node.Value = (key, value);
                _recency.AddFirst(node);
                return;
            }

            _entries[key] = _recency.AddFirst((key, value));
            if (_entries.Count > Capacity)
            {
                _entries.Remove(_recency.Last!.Value.Key);
                _recency.RemoveLast();
            }
        }
    }
}
