namespace Shaping.Capacity.PostgreSql;

/// <summary>The outcome of <see cref="PostgreSqlCapacityLedger.SetRegionCapacityAsync"/>.</summary>
public enum RegionCapacityStatus
{
    /// <summary>The region was created or its capacity replaced.</summary>
    Succeeded = 0,

    /// <summary>
    /// The new capacity is below what held and committed reservations already use in some dimension (expired holds
    /// are reclaimed first and do not count); nothing changed.
    /// Release reservations first, or set a capacity at least the current use.
    /// </summary>
    BelowCurrentUse,

    /// <summary>The database could not be reached after bounded retries; nothing changed.</summary>
    Unavailable,
}
