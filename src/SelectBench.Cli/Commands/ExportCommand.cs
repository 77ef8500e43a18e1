using System.ComponentModel;
using System.Globalization;
using SelectBench.Common;
using SelectBench.Models;
using SelectBench.Training;
using Spectre.Console.Cli;

namespace SelectBench.Cli.Commands;

/// <summary>
/// Writes a trained model for other tools: <c>--format pt</c> is a PyTorch state dict under torchvision's names, which
/// <c>torchvision.models.resnet50(num_classes=K).load_state_dict(torch.load(path), strict=True)</c> accepts (docs/encoders.md,
/// "PyTorch weights"), plus a JSON beside it with the class names, input size and normalisation the model was trained with.
/// </summary>
[CliCommand("export", "Write a trained model's weights for PyTorch (--format pt: a torchvision-named ResNet state dict) and its preprocessing as JSON",
    Examples = ["export runs/full/checkpoint.ckpt --format pt --out runs/full/resnet50.pth"])]
public sealed class ExportCommand : Command<ExportCommand.Settings>
{
    public static readonly string[] Formats = ["pt"];

    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<checkpoint>")]
        [Description("A checkpoint written by 'selectbench train' (OUT/checkpoint.ckpt) of a resnet18 or resnet50")]
        public string Checkpoint { get; init; } = "";

        [CommandOption("--format <FORMAT>")]
        [Description("pt: a PyTorch state dict (.pth) with torchvision's ResNet names")]
        [DefaultValue("pt")]
        public string Format { get; init; } = "pt";

        [CommandOption("--out <FILE>")]
        [Description("The .pth to write; the preprocessing goes to the same name with .json")]
        public string Out { get; init; } = "";

        public override Spectre.Console.ValidationResult Validate()
        {
            if (!Formats.Contains(Format))
                return Spectre.Console.ValidationResult.Error($"--format '{Format}' is not supported: use {string.Join(", ", Formats)}.");
            if (string.IsNullOrWhiteSpace(Out)) return Spectre.Console.ValidationResult.Error("--out FILE is required (the .pth to write).");
            return Spectre.Console.ValidationResult.Success();
        }
    }

    /// <summary>What the JSON beside the .pth records: how to rebuild the network in torchvision and feed it.</summary>
    public sealed record ExportedModel(string Torchvision, string[] ClassNames, string[] ClassIds, int Height, int Width,
                                       float[] Mean, float[] Std, string PixelScale);

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var (meta, model) = TrainingCheckpoint.LoadModel(settings.Checkpoint);
        using var _ = model;
        if (model is not ImageNetResNet resnet)
            throw new BadInputException(settings.Checkpoint,
                $"holds a {meta.Model.Name}; --format pt writes torchvision's ResNet layout, so train a resnet18 or resnet50 (--model).");
        string builder = string.Create(CultureInfo.InvariantCulture, $"torchvision.models.{meta.Model.Name}(num_classes={meta.Model.Classes})");
        var notes = new List<string>();
        if (meta.Model.Width != 1.0) notes.Add($"width {meta.Model.Width.ToString(CultureInfo.InvariantCulture)}: torchvision's builders have width 1, build the network with the stage widths of the state dict");
        if (meta.Model.Channels != 3) notes.Add($"{meta.Model.Channels} input channels: replace torchvision's conv1 with a {meta.Model.Channels}-channel one");
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(settings.Out))!);
        TorchvisionWeights.Write(resnet, settings.Out);
        var json = Path.ChangeExtension(settings.Out, ".json");
        AtomicFile.WriteJson(json, new ExportedModel(notes.Count == 0 ? builder : $"{builder} ({string.Join("; ", notes)})",
            meta.ClassNames, meta.ClassIds, meta.Height, meta.Width, meta.Normalization.Mean, meta.Normalization.Std, "pixels / 255, then (x - mean) / std"));
        Console.WriteLine($"wrote {settings.Out} (load with {builder}.load_state_dict(torch.load(path), strict=True)) and {json}");
        foreach (var note in notes) Console.WriteLine($"note: {note}");
        return 0;
    }
}
