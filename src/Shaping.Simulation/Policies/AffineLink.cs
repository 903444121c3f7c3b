namespace Shaping.Simulation.Policies;

/// <summary>
/// Detects, observation by observation, whether one dimension has so far been an exact increasing affine function
/// of another (<c>y = α + β x</c>, β &gt; 0), as a demand model's per-request costs make it. A linked dimension needs
/// no forecast model of its own: its bounds are the leader's bounds mapped through the line, and since the map is
/// increasing, covering the leader covers it. Two distinct points define the line and a third must confirm it before
/// the dimension counts as linked (two points always fit a line). Once broken, a link stays broken.
/// </summary>
internal struct AffineLink
{
    private const double RelativeTolerance = 1e-6;
    private int _state; // 0: one point or none yet, 1: linked, 2: broken, 3: a line through two points, unconfirmed
    private bool _hasFirst;
    private double _x0;
    private double _y0;
    private double _x1;
    private double _alpha;
    private double _beta;

    public readonly bool IsLinked => _state == 1;

    public readonly double Map(double x) => Math.Max(0, _alpha + (_beta * x));

    /// <summary>
    /// <see cref="Map"/> moved down (<paramref name="up"/> false) or up by the tolerance the link accepts points
    /// within, and by a rounding step: the linked dimension lies within these of the line, so an interval of the leader
    /// mapped through them holds the dimension whenever the leader's holds the leader (<see cref="Map"/> alone can land
    /// an ulp inside a value that sits exactly on the line, as a periodic series' forecast does).
    /// </summary>
    public readonly double MapWidened(double x, bool up)
    {
        var y = _alpha + (_beta * x);
        var band = RelativeTolerance * Math.Max(1, Math.Abs(y) / (1 - RelativeTolerance));
        return Math.Max(0, up ? Math.BitIncrement(y + band) : Math.BitDecrement(y - band));
    }

    public void Observe(double x, double y)
    {
        switch (_state)
        {
            case 2:
                return;
            case 1:
            case 3:
                if (Math.Abs(_alpha + (_beta * x) - y) > RelativeTolerance * Math.Max(1, Math.Abs(y)))
                {
                    _state = 2;
                }
                else if (_state == 3 && Math.Abs(x - _x0) > RelativeTolerance * Math.Max(1, Math.Abs(x))
                    && Math.Abs(x - _x1) > RelativeTolerance * Math.Max(1, Math.Abs(x)))
                {
                    _state = 1; // a third distinct point on the line
                }

                return;
        }

        if (!_hasFirst)
        {
            (_x0, _y0, _hasFirst) = (x, y, true);
            return;
        }

        if (Math.Abs(x - _x0) <= RelativeTolerance * Math.Max(1, Math.Abs(x)))
        {
            if (Math.Abs(y - _y0) > RelativeTolerance * Math.Max(1, Math.Abs(y)))
            {
                _state = 2;
            }

            return;
        }

        _beta = (y - _y0) / (x - _x0);
        _alpha = _y0 - (_beta * _x0);
        _x1 = x;
        _state = _beta > 0 ? 3 : 2;
    }
}
