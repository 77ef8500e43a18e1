using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SelectBench.Running;

/// <summary>
/// A job's cache key: a hash of everything that determines its result. Two jobs with the same key produce
/// the same result, so a finished job whose key still matches is skipped on rerun. The key covers the
/// kind, the settings (canonical JSON, keys sorted, so property order does not matter), the keys of its
/// dependencies (so a changed upstream job changes every downstream key) and a code version string.
/// </summary>
public static class JobKey
{
    /// <summary>Hex characters kept from the SHA-256 digest: 64 bits, ample for the jobs of one run folder.</summary>
    public const int Length = 16;

    public static string Compute(string kind, JsonObject settings, IEnumerable<string> dependencyKeys, string codeVersion)
    {
        var text = new StringBuilder()
            .Append("selectbench-job-key/1\n")
            .Append("kind=").Append(kind).Append('\n')
            .Append("settings=").Append(CanonicalJson.Write(settings)).Append('\n')
            .Append("dependencies=").Append(string.Join(',', dependencyKeys)).Append('\n')
            .Append("code=").Append(codeVersion).Append('\n')
            .ToString();
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(text));
        return Convert.ToHexStringLower(digest)[..Length];
    }
}

/// <summary>
/// JSON with object keys sorted (ordinal) at every level and no whitespace, so equal settings written in
/// any property order hash the same. Numbers keep their written form: 1 and 1.0 are different settings.
/// </summary>
public static class CanonicalJson
{
    public static string Write(JsonNode? node)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = false }))
            WriteNode(writer, node);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WriteNode(Utf8JsonWriter writer, JsonNode? node)
    {
        switch (node)
        {
            case null:
                writer.WriteNullValue();
                break;
            case JsonObject obj:
                writer.WriteStartObject();
                foreach (var (name, value) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(name);
                    WriteNode(writer, value);
                }
                writer.WriteEndObject();
                break;
            case JsonArray array:
                writer.WriteStartArray();
                foreach (var item in array) WriteNode(writer, item);
                writer.WriteEndArray();
                break;
            default:
                node.WriteTo(writer);
                break;
        }
    }
}
