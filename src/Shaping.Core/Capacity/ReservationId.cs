namespace Shaping.Core.Capacity;

/// <summary>
/// The caller-chosen identity of a capacity reservation. Every ledger operation is idempotent by this id, so a
/// caller that retries after a timeout never reserves twice.
/// </summary>
/// <param name="Value">A non-empty identifier, for example the request's idempotency key plus an attempt suffix.</param>
public readonly record struct ReservationId(string Value)
{
    /// <summary>Creates an id, checking that it is not empty.</summary>
    /// <param name="value">The identifier.</param>
    /// <returns>The id.</returns>
    /// <exception cref="ArgumentException"><paramref name="value"/> is null, empty or white space.</exception>
    public static ReservationId Create(string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        return new ReservationId(value);
    }

    /// <inheritdoc/>
    public override string ToString() => Value ?? string.Empty;
}
