using System.Numerics;

namespace Shaping.Forecasting.Models;

/// <summary>
/// In-place selection of a few order statistics (the values a sort would put at given ranks) without sorting the whole
/// span: an empirical quantile reads two order statistics, and selecting them is linear on average where a sort is
/// O(n log n).
/// </summary>
internal static class OrderStatistics
{
    // Below this length a slice is simply sorted (Span.Sort uses insertion sort there).
    private const int SortThreshold = 16;

    /// <summary>
    /// Rearranges <paramref name="values"/> so that, for every rank in <paramref name="ranks"/>,
    /// <c>values[rank]</c> holds bit for bit the value that <c>values.Sort()</c> would put there.
    /// </summary>
    /// <remarks>
    /// Ranks may come in any order and may repeat. Each one is selected only within the slice between the ranks already
    /// placed (everything left of a placed rank is at most its value, everything right at least), so ranks given in
    /// ascending order narrow the work step by step, and a rank just above a placed one is the minimum of the slice
    /// above it, a single pass.
    /// <para>
    /// A selection and a sort agree bit for bit whenever <c>&lt;</c> is a total order in which equal values have equal
    /// bits: finite values and infinities, except that 0 and -0 compare equal and NaN compares with nothing. If a NaN
    /// or a -0 is present, the span is sorted instead, so the result is the sort's in every case.
    /// </para>
    /// </remarks>
    /// <param name="values">The values; rearranged in place.</param>
    /// <param name="ranks">Zero-based ranks, each in [0, <c>values.Length</c>).</param>
    public static void Select(Span<double> values, ReadOnlySpan<int> ranks)
    {
        if (!IsTotallyOrdered(values))
        {
            values.Sort();
            return;
        }

        for (var i = 0; i < ranks.Length; i++)
        {
            var rank = ranks[i];
            ArgumentOutOfRangeException.ThrowIfNegative(rank, nameof(ranks));
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(rank, values.Length, nameof(ranks));

            // The slice [from, to) between the nearest ranks already placed holds exactly the values of these ranks.
            var from = 0;
            var to = values.Length;
            for (var j = 0; j < i; j++)
            {
                var placed = ranks[j];
                if (placed < rank)
                {
                    from = Math.Max(from, placed + 1);
                }
                else if (placed > rank)
                {
                    to = Math.Min(to, placed);
                }
                else
                {
                    from = rank;
                    to = rank + 1;
                    break;
                }
            }

            SelectNth(values[from..to], rank - from);
        }
    }

    /// <summary>Whether no value is NaN or -0, so <c>&lt;</c> orders the values totally and equal values have equal bits.</summary>
    private static bool IsTotallyOrdered(ReadOnlySpan<double> values)
    {
        foreach (var value in values)
        {
            if (double.IsNaN(value) || (value == 0 && double.IsNegative(value)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Introselect: moves the k-th smallest value to index <paramref name="k"/>, smaller ones before it and larger ones
    /// after. Quickselect with a median-of-three pivot and a three-way partition (many equal values, such as the zeros
    /// of floored paths, are settled in one pass); after about 2 log2(n) partitions the rest is sorted, which bounds
    /// the worst case at O(n log n).
    /// </summary>
    private static void SelectNth(Span<double> values, int k)
    {
        var partitionsLeft = 2 * BitOperations.Log2((uint)values.Length);
        while (true)
        {
            if (k == 0)
            {
                SwapMinimumToFront(values);
                return;
            }

            if (k == values.Length - 1)
            {
                SwapMaximumToBack(values);
                return;
            }

            if (values.Length <= SortThreshold || partitionsLeft-- == 0)
            {
                values.Sort();
                return;
            }

            var pivot = MedianOfThree(values[0], values[values.Length / 2], values[^1]);
            var (less, greater) = Partition(values, pivot);
            if (k < less)
            {
                values = values[..less];
            }
            else if (k >= greater)
            {
                values = values[greater..];
                k -= greater;
            }
            else
            {
                return; // k falls among the values equal to the pivot
            }
        }
    }

    /// <summary>Dijkstra's three-way partition: afterwards [0, less) &lt; pivot, [less, greater) == pivot and
    /// [greater, n) &gt; pivot.</summary>
    private static (int Less, int Greater) Partition(Span<double> values, double pivot)
    {
        var less = 0;
        var i = 0;
        var greater = values.Length;
        while (i < greater)
        {
            var value = values[i];
            if (value < pivot)
            {
                values[i++] = values[less];
                values[less++] = value;
            }
            else if (value > pivot)
            {
                values[i] = values[--greater];
                values[greater] = value;
            }
            else
            {
                i++;
            }
        }

        return (less, greater);
    }

    private static double MedianOfThree(double a, double b, double c) =>
        a < b
            ? (b < c ? b : Math.Max(a, c))
            : (a < c ? a : Math.Max(b, c));

    private static void SwapMinimumToFront(Span<double> values)
    {
        var index = 0;
        for (var i = 1; i < values.Length; i++)
        {
            if (values[i] < values[index])
            {
                index = i;
            }
        }

        (values[0], values[index]) = (values[index], values[0]);
    }

    private static void SwapMaximumToBack(Span<double> values)
    {
        var index = 0;
        for (var i = 1; i < values.Length; i++)
        {
            if (values[i] > values[index])
            {
                index = i;
            }
        }

        (values[^1], values[index]) = (values[index], values[^1]);
    }
}
