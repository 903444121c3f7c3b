using Shaping.Core.Capacity;
using Shaping.Core.Shapes;

namespace Shaping.Core.ControlPlane;

/// <summary>A running replica as the control plane knows it.</summary>
/// <param name="Region">The region it runs in.</param>
/// <param name="ReplicaId">The id the region's provisioner gave it.</param>
/// <param name="Shape">The shape it runs on now.</param>
/// <param name="Reservation">The committed reservation that accounts for its current shape's capacity.</param>
public sealed record ReplicaRecord(string Region, string ReplicaId, ResourceShape Shape, ReservationId Reservation);
