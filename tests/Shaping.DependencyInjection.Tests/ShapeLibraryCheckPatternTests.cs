using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Shaping.Core.Resources;
using Shaping.Core.Shapes;

namespace Shaping.DependencyInjection.Tests;

/// <summary>The start-time check for a catalog beside the host's own library stays quiet on the documented registrations.</summary>
public sealed class ShapeLibraryCheckPatternTests
{
    public static TheoryData<string> DocumentedPatterns() =>
    [
        "catalog before, AddPredictiveShaping twice, forecasting, loop",
        "UseCatalog instance then UseShapeLibrary instance",
        "UseShapeLibrary factory, AddPredictiveShaping again",
        "UseShapeLibrary, catalog is a host snapshot factory",
        "UseShapeLibrary, keyed catalog beside it",
        "library instance before, UseCatalog after",
        "UseCatalog factory, AddForecasting, AddAdjustmentLoop",
        "catalog AddSingleton after, then UseShapeLibrary",
    ];

    [Theory]
    [MemberData(nameof(DocumentedPatterns))]
    public async Task DocumentedPattern_Starts(string pattern)
    {
        var services = new ServiceCollection();
        var library = new ShapeLibrary([Shape("owned")]);
        var catalog = new ShapeCatalog([Shape("wanted")]);
        switch (pattern)
        {
            case "catalog before, AddPredictiveShaping twice, forecasting, loop":
                services.AddSingleton(catalog);
                services.AddPredictiveShaping().AddForecasting().AddAdjustmentLoop();
                services.AddPredictiveShaping(o => o.AdjustmentMaxResizeRetries = 3).AddAdjustmentLoop();
                break;
            case "UseCatalog instance then UseShapeLibrary instance":
                services.AddPredictiveShaping().UseCatalog(catalog).UseShapeLibrary(library);
                break;
            case "UseShapeLibrary factory, AddPredictiveShaping again":
                services.AddPredictiveShaping().UseShapeLibrary(_ => library);
                services.AddPredictiveShaping();
                break;
            case "UseShapeLibrary, catalog is a host snapshot factory":
                services.AddPredictiveShaping().UseShapeLibrary(library);
                services.AddSingleton(sp => sp.GetRequiredService<ShapeLibrary>().Current);
                break;
            case "UseShapeLibrary, keyed catalog beside it":
                services.AddPredictiveShaping().UseShapeLibrary(library);
                services.AddKeyedSingleton("proposal", catalog);
                break;
            case "library instance before, UseCatalog after":
                services.AddSingleton(library);
                services.AddPredictiveShaping().UseCatalog(catalog);
                break;
            case "UseCatalog factory, AddForecasting, AddAdjustmentLoop":
                services.AddPredictiveShaping().UseCatalog(_ => catalog).AddForecasting().AddAdjustmentLoop();
                break;
            default:
                services.AddPredictiveShaping();
                services.AddSingleton(catalog);
                services.AddPredictiveShaping().UseShapeLibrary(library);
                break;
        }

        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        await provider.GetRequiredService<IAsyncStartupValidator>().ValidateAsync(CancellationToken.None);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task UseShapeLibrary_ScopedCatalogViewOfTheLibrary_Starts(bool validateScopes)
    {
        // A host that wants the library's current catalog per request (the singleton ShapeCatalog is a stale snapshot).
        var library = new ShapeLibrary([Shape("owned")]);
        var services = new ServiceCollection();
        services.AddPredictiveShaping().UseShapeLibrary(library);
        services.AddScoped(sp => sp.GetRequiredService<ShapeLibrary>().Current);
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = validateScopes });

        using (var scope = provider.CreateScope())
        {
            Assert.Same(library.Current, scope.ServiceProvider.GetRequiredService<ShapeCatalog>());
        }

        await provider.GetRequiredService<IAsyncStartupValidator>().ValidateAsync(CancellationToken.None);
    }

    private static ResourceShape Shape(string name) => new(name, new ResourceVector(2, 8, 50, 1), new ShapeProfile(0.1));
}
