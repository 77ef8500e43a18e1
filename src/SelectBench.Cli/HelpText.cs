namespace SelectBench.Cli;

/// <summary>Help texts several commands share. Spectre renders descriptions as markup, where '[' opens a style: write '[['.</summary>
public static class HelpText
{
    /// <summary><see cref="Encoders.EncoderSpec.Help"/>, escaped (CommandHelpTests checks the two agree).</summary>
    public const string Encoder = "pca[[:K]], pca-model:DIR, ssl:DIR, checkpoint:FILE, resnet18 or onnx:FILE";
}
