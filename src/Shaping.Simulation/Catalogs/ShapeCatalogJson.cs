using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Shaping.Core.Resources;
using Shaping.Core.Shapes;

namespace Shaping.Simulation.Catalogs;

/// <summary>
/// Reads a shape catalog from JSON: <c>{"shapes": [{"name", "cpuCores", "memoryGiB", "storageGiB", "networkGbps",
/// "pricePerHour", "performanceFactor", "sizeClass"}, ...]}</c>, the format of the simulator's
/// <c>default-catalog.json</c>. The simulator and the accuracy console's backtest both read catalogs through it, so a
/// catalog one accepts the other accepts too.
/// </summary>
/// <remarks>
/// Property names are case-insensitive. <c>name</c>, <c>cpuCores</c>, <c>memoryGiB</c>, <c>storageGiB</c>,
/// <c>networkGbps</c> and <c>pricePerHour</c> are required on every shape; <c>performanceFactor</c> (default 1.0),
/// <c>sizeClass</c> (a <see cref="SizeClass"/> name; default <see cref="SizeClass.Unspecified"/>), a shape's
/// <c>description</c> and a top-level <c>description</c> are optional; any other property is an error, so a misspelt
/// field is not silently read as 0, and so is a property given twice. Every problem (invalid JSON, a missing or unknown field, no shapes, a shape the core
/// types reject, two shapes with one name) is an <see cref="InvalidDataException"/> whose one-line message starts with
/// the source name; a problem in the JSON itself (including an unknown <c>sizeClass</c>) also names its JSON path, such
/// as <c>$.shapes[1].sizeClass</c>.
/// </remarks>
public static class ShapeCatalogJson
{
    /// <summary>Reads a catalog file.</summary>
    /// <param name="path">The JSON file.</param>
    /// <returns>The catalog, with its shapes in file order.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a valid catalog; the message names the file.</exception>
    public static ShapeCatalog Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The catalog file '{path}' does not exist.", path);
        }

        using var stream = File.OpenRead(path);
        return Load(stream, path);
    }

    /// <summary>Reads a catalog from a stream of UTF-8 JSON.</summary>
    /// <param name="stream">The JSON.</param>
    /// <param name="sourceName">The name errors start with, such as a file path.</param>
    /// <returns>The catalog, with its shapes in document order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="sourceName"/> is empty.</exception>
    /// <exception cref="InvalidDataException">The JSON is not a valid catalog; the message starts with <paramref name="sourceName"/>.</exception>
    public static ShapeCatalog Load(Stream stream, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentException.ThrowIfNullOrWhiteSpace(sourceName);
        CatalogDocument? document;
        try
        {
            document = JsonSerializer.Deserialize(stream, CatalogJsonContext.Default.CatalogDocument);
        }
        catch (JsonException exception)
        {
            throw new InvalidDataException($"{sourceName}: not a valid catalog JSON document: {WithPath(exception)}", exception);
        }

        if (document is null)
        {
            throw new InvalidDataException($"{sourceName}: empty catalog document.");
        }

        if (document.Shapes is not { Count: > 0 })
        {
            throw new InvalidDataException($"{sourceName}: the catalog needs a non-empty \"shapes\" array.");
        }

        var shapes = new List<ResourceShape>(document.Shapes.Count);
        foreach (var entry in document.Shapes)
        {
            if (entry is null)
            {
                throw new InvalidDataException($"{sourceName}: the \"shapes\" array holds a null entry.");
            }

            if (!Enum.IsDefined(entry.SizeClass))
            {
                throw new InvalidDataException($"{sourceName}: shape '{entry.Name}' has an unknown sizeClass ({(int)entry.SizeClass}).");
            }

            try
            {
                shapes.Add(new ResourceShape(
                    entry.Name!, // null is rejected by the constructor and reported below
                    new ResourceVector(entry.CpuCores, entry.MemoryGiB, entry.StorageGiB, entry.NetworkGbps),
                    new ShapeProfile(entry.PricePerHour, entry.PerformanceFactor, entry.SizeClass)));
            }
            catch (ArgumentException exception)
            {
                throw new InvalidDataException($"{sourceName}: shape '{entry.Name}' is invalid: {OneLine(exception)}", exception);
            }
        }

        try
        {
            return new ShapeCatalog(shapes);
        }
        catch (ArgumentException exception)
        {
            throw new InvalidDataException($"{sourceName}: {OneLine(exception)}", exception);
        }
    }

    /// <summary>
    /// A JSON exception's message on one line, with where it happened: System.Text.Json appends the path and position
    /// to its own messages but not to a converter's (such as an unknown sizeClass), so those get them in the same form.
    /// </summary>
    private static string WithPath(JsonException exception)
    {
        var message = exception.Message.ReplaceLineEndings(" ");
        return exception.Path is { } path && !message.Contains(path, StringComparison.Ordinal)
            ? string.Create(CultureInfo.InvariantCulture,
                $"{message} Path: {path} | LineNumber: {exception.LineNumber} | BytePositionInLine: {exception.BytePositionInLine}.")
            : message;
    }

    /// <summary>An argument exception's message without .NET's "(Parameter 'x')" suffix and "Actual value was" line.</summary>
    internal static string OneLine(ArgumentException exception)
    {
        var message = exception.Message;
        var newline = message.IndexOf('\n', StringComparison.Ordinal);
        if (newline >= 0)
        {
            message = message[..newline].TrimEnd('\r');
        }

        return exception.ParamName is { } name
            ? message.Replace($" (Parameter '{name}')", string.Empty, StringComparison.Ordinal)
            : message;
    }
}

internal sealed record CatalogDocument(string? Description = null, IReadOnlyList<CatalogEntry?>? Shapes = null);

internal sealed record CatalogEntry(
    string? Name,
    double CpuCores,
    double MemoryGiB,
    double StorageGiB,
    double NetworkGbps,
    double PricePerHour,
    double PerformanceFactor = 1.0,
    [property: JsonConverter(typeof(SizeClassJsonConverter))] SizeClass SizeClass = SizeClass.Unspecified,
    string? Description = null);

/// <summary>
/// Reads a <see cref="SizeClass"/> by name (case-insensitive) or number (checked by the loader). The string-enum
/// converter also reads comma-separated names as flags, so "Small, Large" loaded as Small | Large, which is Custom.
/// </summary>
internal sealed class SizeClassJsonConverter : JsonConverter<SizeClass>
{
    public override SizeClass Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var number))
        {
            return (SizeClass)number;
        }

        var text = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
        foreach (var value in Enum.GetValues<SizeClass>())
        {
            if (string.Equals(value.ToString(), text, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        throw new JsonException(
            $"sizeClass must be one of {string.Join(", ", Enum.GetNames<SizeClass>())}; got {(text is null ? reader.TokenType.ToString() : $"'{text}'")}.");
    }

    public override void Write(Utf8JsonWriter writer, SizeClass value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value.ToString());
    }
}

// The six numbers and the name have no defaults and must be present (a missing "memoryGiB" must not load as 0 GiB), and
// an unknown or repeated property is an error (a misspelt "memory" must not be ignored, nor the first of two "cpuCores").
[JsonSourceGenerationOptions(
    PropertyNameCaseInsensitive = true,
    UseStringEnumConverter = true,
    RespectRequiredConstructorParameters = true,
    AllowDuplicateProperties = false,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(CatalogDocument))]
internal sealed partial class CatalogJsonContext : JsonSerializerContext;
