using System.Reflection;
using SelectBench.Common;

namespace SelectBench.Benchmark;

/// <summary>
/// The built-in run profiles for FashionMNIST++ (configs/run-&lt;name&gt;.yaml, compiled into the library so
/// `selectbench run --profile quick` works from any folder): tiny (CI), quick (the README's main job) and
/// standard (the faithful one).
/// </summary>
public static class RunProfiles
{
    private const string Prefix = "configs/";

    public static IReadOnlyList<string> Names { get; } = ["tiny", "quick", "standard"];

    /// <summary>File names of the built-in configs.</summary>
    public static IReadOnlyList<string> BuiltInFiles =>
        typeof(RunProfiles).Assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal))
            .Select(n => n[Prefix.Length..]).Order(StringComparer.Ordinal).ToList();

    public static RunConfig Load(string name)
    {
        if (!Names.Contains(name))
            throw new BadInputException("--profile", $"'{name}' is not a built-in profile; use one of {string.Join(", ", Names)}, or --config FILE.");
        var text = ReadBuiltIn($"run-{name}.yaml")
                   ?? throw new SelectBenchException($"the built-in profile file run-{name}.yaml is missing from the library; rebuild SelectBench.");
        return RunConfig.Parse(text, $"profile {name}", name);
    }

    /// <summary>The text of a built-in config file (e.g. "curation-quick.yaml"), or null.</summary>
    public static string? ReadBuiltIn(string fileName)
    {
        using var stream = typeof(RunProfiles).Assembly.GetManifestResourceStream(Prefix + fileName);
        if (stream is null) return null;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>The YAML of a built-in profile, to copy and edit.</summary>
    public static string Text(string name) => ReadBuiltIn($"run-{name}.yaml")
        ?? throw new BadInputException("--profile", $"'{name}' is not a built-in profile; use one of {string.Join(", ", Names)}.");
}
