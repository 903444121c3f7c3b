using Shaping.Core.Resources;

namespace Shaping.Core.Shapes;

/// <summary>
/// A resource shape: a named preset of capacity (CPU, memory, storage, network) with a price and a
/// performance profile, such as a cloud instance type or a Kubernetes resource class.
/// </summary>
/// <remarks>
/// Shapes are immutable. Changing a shape in a <see cref="ShapeLibrary"/> creates a new revision with the same
/// name; replicas that run on an older revision still resolve it by <see cref="Name"/> and
/// <see cref="Revision"/>.
/// </remarks>
public sealed record ResourceShape
{
    /// <summary>Creates a shape.</summary>
    /// <param name="name">A unique, non-empty name such as <c>m-4x16</c>.</param>
    /// <param name="capacity">What one replica of the shape provides; finite and non-negative.</param>
    /// <param name="profile">Price and performance.</param>
    /// <param name="revision">The revision of the shape under this name, from 1.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or white space.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="capacity"/> has a NaN, infinite or negative dimension, is zero everywhere, or
    /// <paramref name="revision"/> is below 1; or <paramref name="profile"/> is the default (unpriced) profile.
    /// </exception>
    public ResourceShape(string name, ResourceVector capacity, ShapeProfile profile, int revision = 1)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ResourceVector.ThrowIfInvalidAmount(capacity);
        if (capacity.IsZero)
        {
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "A shape must provide some capacity.");
        }

        if (profile.PricePerHour <= 0)
        {
            throw new ArgumentOutOfRangeException(
                nameof(profile), profile, "The profile must have a positive price; the default profile is not priced.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(revision, 1);
        Name = name;

        // −0.0 passes every "≥ 0" check but its reciprocal is −∞, which the selector's vector loop multiplies by: adding
        // +0.0 turns it into +0.0 and leaves every other value as it is.
        Capacity = new ResourceVector(
            capacity.CpuCores + 0.0, capacity.MemoryGiB + 0.0, capacity.StorageGiB + 0.0, capacity.NetworkGbps + 0.0);
        Profile = profile;
        Revision = revision;
    }

    /// <summary>Gets the shape's name, unique within a catalog.</summary>
    public string Name { get; }

    /// <summary>Gets what one replica provides.</summary>
    public ResourceVector Capacity { get; }

    /// <summary>Gets the price and performance profile.</summary>
    public ShapeProfile Profile { get; }

    /// <summary>Gets the revision of this shape under its name, from 1.</summary>
    public int Revision { get; }

    /// <summary>Gets the price of one replica, in currency per hour.</summary>
    public double PricePerHour => Profile.PricePerHour;

    /// <inheritdoc/>
    public override string ToString() => $"{Name}@{Revision} ({Capacity}; {Profile})";
}
