namespace LiveIm.Redis;

/// <summary>One stream entry as XRANGE returns it: an id (<c>1700000000000-0</c>) and its field/value pairs in order.</summary>
public sealed class RedisStreamEntry
{
    public RedisStreamEntry(string id, IReadOnlyList<KeyValuePair<string, RedisValue>> fields)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(fields);
        Id = id;
        Fields = fields;
    }

    /// <summary>The entry id, <c>milliseconds-sequence</c>.</summary>
    public string Id { get; }

    /// <summary>Field/value pairs in the order they were added (fields may repeat).</summary>
    public IReadOnlyList<KeyValuePair<string, RedisValue>> Fields { get; }

    /// <summary>The value of the first field named <paramref name="field"/>, or <see cref="RedisValue.Null"/>.</summary>
    public RedisValue this[string field]
    {
        get
        {
            foreach (var pair in Fields)
            {
                if (pair.Key == field)
                {
                    return pair.Value;
                }
            }

            return RedisValue.Null;
        }
    }
}
