using System.ComponentModel;
using Spectre.Console.Cli;

namespace SelectBench.Cli;

/// <summary>The decoding options every command that loads encoded images takes (docs/data.md#decoding-encoded-images).</summary>
public abstract class DecodingSettings : CommandSettings
{
    [CommandOption("--resize <SIZE>")]
    [Description("Resize encoded images (ImageFolder, shards, parquet) straight to SIZE x SIZE while loading")]
    public int? Resize { get; init; }

    [CommandOption("--grey")]
    [Description("Decode encoded images to one grey channel")]
    public bool Grey { get; init; }

    [CommandOption("--on-bad-input <POLICY>")]
    [Description("fail (default) or skip corrupt inputs")]
    [DefaultValue("fail")]
    public string OnBadInput { get; init; } = "fail";
}
