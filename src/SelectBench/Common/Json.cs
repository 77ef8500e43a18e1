using System.Text.Json;
using System.Text.Json.Serialization;

namespace SelectBench.Common;

/// <summary>One set of JSON options for every file SelectBench writes: snake_case, indented.</summary>
public static class Json
{
    public static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static T Read<T>(string path)
    {
        if (!File.Exists(path)) throw new SelectBenchException($"{path}: file not found.");
        try
        {
            using var fs = File.OpenRead(path);
            return JsonSerializer.Deserialize<T>(fs, Options)
                   ?? throw new SelectBenchException($"{path}: the file is empty or 'null'.");
        }
        catch (JsonException e)
        {
            throw new SelectBenchException($"{path}: not valid JSON for {typeof(T).Name} ({e.Message}). Delete it to have it rebuilt.", e);
        }
    }
}
