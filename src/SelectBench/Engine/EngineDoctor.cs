using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using SelectBench.Common;

namespace SelectBench.Engine;

/// <summary>oneDNN's own account of itself, read from its verbose output in a child process.</summary>
/// <param name="Version">"oneDNN v3.7.1 (commit ...)".</param>
/// <param name="Isa">The ISA line, e.g. "Intel AVX-512 with float16, Intel DL Boost and bfloat16 support".</param>
/// <param name="Convolution">The implementation chosen for a small-channel training convolution, e.g. "jit:avx512_core".</param>
public sealed record OneDnnReport(string? Version, string? Isa, string? Convolution);

/// <summary>
/// The diagnostics of <c>selectbench doctor</c> that need other processes: oneDNN's verbose report (oneDNN
/// prints it only when ONEDNN_VERBOSE is set before its first use, so a child process runs a convolution with it
/// set), and the same probe under each engine configuration (the ISA cap is fixed per process).
/// </summary>
public static partial class EngineDoctor
{
    /// <summary>
    /// The engine configurations worth comparing here, as environment settings for a child process: oneDNN at
    /// AVX2, at the CPU's maximum when higher, and oneDNN off.
    /// </summary>
    public static IReadOnlyList<(string Name, IReadOnlyDictionary<string, string> Environment)> Configurations()
    {
        var list = new List<(string, IReadOnlyDictionary<string, string>)>();
        foreach (var cap in MachineInfo.Current.TestableIsaCaps())
            list.Add(($"oneDNN up to {cap}", new Dictionary<string, string> { ["ONEDNN_MAX_CPU_ISA"] = cap, [TorchEngine.EngineVariable] = "" }));
        list.Add(("oneDNN off", new Dictionary<string, string> { [TorchEngine.EngineVariable] = "onednn-off" }));
        return list;
    }

    /// <summary>Runs the CLI in a child process with extra environment variables; returns (exit code, stdout, stderr).</summary>
    public static (int ExitCode, string Output, string Error) RunChild(IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment, TimeSpan timeout)
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "SelectBench.Cli.dll");
        if (!File.Exists(cli)) throw new SelectBenchException($"{cli} not found: the doctor runs the command line in child processes and needs it beside the library.");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(cli);
        foreach (var a in arguments) start.ArgumentList.Add(a);
        foreach (var (k, v) in environment)
            if (string.IsNullOrEmpty(v)) start.Environment.Remove(k);
            else start.Environment[k] = v;
        // A parent's remembered verdicts must not steer a configuration under test, and its own cap must not leak in.
        if (!environment.ContainsKey("ONEDNN_MAX_CPU_ISA")) start.Environment.Remove("ONEDNN_MAX_CPU_ISA");
        start.Environment.Remove("DNNL_MAX_CPU_ISA");
        using var process = Process.Start(start) ?? throw new SelectBenchException("could not start a child process for the doctor.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new SelectBenchException($"the doctor's child process ({string.Join(' ', arguments)}) did not finish within {timeout.TotalSeconds:F0} s.");
        }
        return (process.ExitCode, output.Result, error.Result);
    }

    /// <summary>oneDNN's version, ISA and chosen convolution kernel, from a child running one training convolution with ONEDNN_VERBOSE=1.</summary>
    public static OneDnnReport ProbeOneDnn()
    {
        var (_, output, _) = RunChild(["doctor", "--onednn-verbose-child"], new Dictionary<string, string> { ["ONEDNN_VERBOSE"] = "1" }, TimeSpan.FromMinutes(2));
        return ParseVerbose(output);
    }

    /// <summary>Reads oneDNN's verbose lines ("onednn_verbose,v1,info,oneDNN v3.7.1 ...", "...,info,cpu,isa:...", "...,exec,cpu,convolution,jit:avx512_core,...").</summary>
    public static OneDnnReport ParseVerbose(string output)
    {
        string? version = null, isa = null, convolution = null;
        foreach (var line in output.Split('\n'))
        {
            if (!line.StartsWith("onednn_verbose", StringComparison.Ordinal) && !line.StartsWith("dnnl_verbose", StringComparison.Ordinal)) continue;
            if (version is null && VersionPattern().Match(line) is { Success: true } v) version = v.Value.Trim();
            if (isa is null && line.Contains(",isa:", StringComparison.Ordinal)) isa = line[(line.IndexOf(",isa:", StringComparison.Ordinal) + 5)..].Trim();
            if (convolution is null && line.Contains(",exec,cpu,convolution,", StringComparison.Ordinal))
                convolution = line.Split(',').SkipWhile(f => f != "convolution").Skip(1).FirstOrDefault();
        }
        return new OneDnnReport(version, isa, convolution);
    }

    [GeneratedRegex(@"oneDNN v[0-9][^,]*")]
    private static partial Regex VersionPattern();

    /// <summary>Parses a child's JSON report (the last line of its output that is a JSON object).</summary>
    public static T ParseChildJson<T>(string output, string what)
    {
        var line = output.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.StartsWith('{'))
                   ?? throw new SelectBenchException($"the doctor's child ({what}) printed no report: {Tail(output)}");
        return JsonSerializer.Deserialize<T>(line, Json.Options) ?? throw new SelectBenchException($"the doctor's child ({what}) printed an empty report.");
    }

    private static string Tail(string text) => text.Length > 400 ? "..." + text[^400..] : text;
}
