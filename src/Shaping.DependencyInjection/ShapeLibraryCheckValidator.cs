using Microsoft.Extensions.Options;
using Shaping.Core.Shapes;

namespace Shaping.DependencyInjection;

/// <summary>
/// Fails the host at start when the container's <see cref="ShapeLibrary"/> has no shapes: every request would then
/// end <c>NoFeasibleShape</c> and the adjustment loop could not be built, so it is better said once, at start, with
/// the calls that fix it.
/// </summary>
internal sealed class ShapeLibraryCheckValidator(ShapeLibrary library) : IValidateOptions<ShapeLibraryCheck>
{
    internal const string EmptyMessage =
        "The shape library has no shapes (ShapeLibrary.Current is empty). Give predictive shaping a catalog with "
        + "AddPredictiveShaping().UseCatalog(...), or a library that has shapes with UseShapeLibrary(...).";

    public ValidateOptionsResult Validate(string? name, ShapeLibraryCheck options) =>
        library.Current.IsEmpty ? ValidateOptionsResult.Fail(EmptyMessage) : ValidateOptionsResult.Success;
}
