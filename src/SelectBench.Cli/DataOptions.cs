using SelectBench.Common;
using SelectBench.Data;

namespace SelectBench.Cli;

/// <summary>The data-loading options that several commands share (--on-bad-input, --resize, --grey).</summary>
internal static class DataOptions
{
    /// <summary>--on-bad-input: fail or skip.</summary>
    public static BadInputPolicy Policy(string onBadInput) => onBadInput.ToLowerInvariant() switch
    {
        "fail" => BadInputPolicy.Fail,
        "skip" => BadInputPolicy.Skip,
        _ => throw new SelectBenchException($"--on-bad-input must be 'fail' or 'skip', not '{onBadInput}'."),
    };

    /// <summary>--on-bad-input, --resize SIZE (a square stretch) and --grey (one channel).</summary>
    public static DataLoadOptions From(string onBadInput, int? resize, bool grey)
    {
        var policy = Policy(onBadInput);
        int channels = grey ? 1 : 3;
        var transform = new ImageTransform(Channels: channels);
        if (resize is { } size)
        {
            if (size <= 0) throw new SelectBenchException($"--resize must be positive, not {size}.");
            transform = ImageTransform.Resize(size, channels);
        }
        return new DataLoadOptions(policy, transform);
    }
}
