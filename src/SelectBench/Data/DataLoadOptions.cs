using System.Text;

namespace SelectBench.Data;

/// <summary>What a reader does with one bad input (corrupt image, unreadable shard member, unknown label, empty class folder).</summary>
public enum BadInputPolicy
{
    /// <summary>Stop with an error that names the item.</summary>
    Fail,
    /// <summary>Leave the item out, warn, and record it in <see cref="DataLoadResult.Skipped"/> and the cache manifest.</summary>
    Skip,
}

/// <summary>How encoded images (JPEG/PNG/WebP) become fixed-size uint8 tensors.</summary>
public enum ResizeMode
{
    /// <summary>No resizing: every image must already have the size of the first one.</summary>
    None,
    /// <summary>Resize straight to <see cref="ImageTransform.Width"/> x <see cref="ImageTransform.Height"/>, ignoring aspect ratio.</summary>
    Stretch,
    /// <summary>
    /// Resize so the shorter side is <see cref="ImageTransform.ResizeShorterSide"/>, then take the central
    /// <see cref="ImageTransform.Width"/> x <see cref="ImageTransform.Height"/> crop (torchvision's
    /// Resize(S) + CenterCrop(C) evaluation transform).
    /// </summary>
    ShorterSideThenCenterCrop,
}

/// <summary>
/// The decode transform for encoded images. <paramref name="Channels"/> is 1 (grey, ITU-R BT.601 luma) or 3
/// (RGB; alpha is dropped like PIL's convert("RGB")).
/// </summary>
public sealed record ImageTransform(
    ResizeMode Mode = ResizeMode.None,
    int Width = 0,
    int Height = 0,
    int ResizeShorterSide = 0,
    int Channels = 3)
{
    /// <summary>Keeps images as they are (all images must share one size); RGB.</summary>
    public static ImageTransform AsIs { get; } = new();

    /// <summary>Direct resize to size x size.</summary>
    public static ImageTransform Resize(int size, int channels = 3) => new(ResizeMode.Stretch, size, size, 0, channels);

    /// <summary>Resize the shorter side to <paramref name="shorterSide"/>, then center-crop <paramref name="crop"/> x <paramref name="crop"/>.</summary>
    public static ImageTransform ResizeThenCenterCrop(int shorterSide, int crop, int channels = 3) =>
        new(ResizeMode.ShorterSideThenCenterCrop, crop, crop, shorterSide, channels);

    internal void Validate()
    {
        if (Channels is not (1 or 3))
            throw new Common.SelectBenchException($"Image channels must be 1 (grey) or 3 (RGB), not {Channels}.");
        if (Mode != ResizeMode.None && (Width <= 0 || Height <= 0))
            throw new Common.SelectBenchException($"Resize mode {Mode} needs a positive output size, got {Width}x{Height}.");
        if (Mode == ResizeMode.ShorterSideThenCenterCrop && ResizeShorterSide < Math.Max(Width, Height))
            throw new Common.SelectBenchException(
                $"Resize shorter side {ResizeShorterSide} is smaller than the crop {Width}x{Height}; use a shorter side of at least {Math.Max(Width, Height)}.");
    }

    internal string Key => $"{Mode}:{Width}x{Height}:s{ResizeShorterSide}:c{Channels}";
}

/// <summary>Column names for Hugging Face-style parquet files.</summary>
/// <param name="ImageColumn">Either HF's image struct {bytes, path} or a plain binary column of encoded image bytes.</param>
/// <param name="LabelColumn">An integer class index or a string class name/id.</param>
public sealed record ParquetColumns(string ImageColumn = "image", string LabelColumn = "label");

/// <summary>Which CIFAR-100 label a record gets.</summary>
public enum CifarLabelKind { Fine, Coarse }

/// <summary>
/// Options for <see cref="DataSources.Load"/> and the readers. Everything that changes the decoded result is
/// part of the cache key; <see cref="OnWarning"/>, <see cref="UseCache"/> and <see cref="CacheRoot"/> are not.
/// </summary>
/// <param name="OnBadInput">Fail (default) or skip-and-record bad inputs.</param>
/// <param name="Transform">Decode transform for encoded images (ImageFolder, WebDataset, parquet). Null: keep size, RGB.</param>
/// <param name="MaxImagePixels">Decompression-bomb guard: an encoded image declaring more pixels than this is refused before decoding.</param>
/// <param name="LabelSet">Map class names/indices of the source onto this label set (folder names, .json/.parquet string labels, or int indices checked against it).</param>
/// <param name="Parquet">Column names for parquet sources.</param>
/// <param name="CifarLabels">Fine or coarse labels for CIFAR-100.</param>
/// <param name="JsonLabelField">The field of a WebDataset <c>key.json</c> member holding the label.</param>
/// <param name="UseCache">Store decoded sets in the cache folder and reuse them on the next load.</param>
/// <param name="CacheRoot">Cache folder; null: $SELECTBENCH_CACHE, else $XDG_CACHE_HOME/selectbench, else ~/.cache/selectbench.</param>
/// <param name="AllowDownload">Fashion-MNIST only: try the official URLs when no local copy exists.</param>
/// <param name="DownloadTimeout">Per-file download timeout; connection failures return at once.</param>
/// <param name="OnWarning">Receives warnings (skipped items); null writes them to stderr.</param>
/// <param name="InMemoryLimit">Decoded bytes (N x C x H x W) above which an import that can stream (WebDataset shards with a
/// resize) keeps its set out-of-core in a <see cref="Sharded.ShardedImageStore"/> (docs/data.md "Out-of-core sets").</param>
public sealed record DataLoadOptions(
    BadInputPolicy OnBadInput = BadInputPolicy.Fail,
    ImageTransform? Transform = null,
    long MaxImagePixels = DataLoadOptions.DefaultMaxImagePixels,
    LabelSet? LabelSet = null,
    ParquetColumns? Parquet = null,
    CifarLabelKind CifarLabels = CifarLabelKind.Fine,
    string JsonLabelField = "label",
    bool UseCache = true,
    string? CacheRoot = null,
    bool AllowDownload = true,
    TimeSpan? DownloadTimeout = null,
    Action<string>? OnWarning = null,
    long InMemoryLimit = DataLoadOptions.DefaultInMemoryLimit)
{
    /// <summary>
    /// 256 MiB of decoded pixels: every set of the small worlds and profiles (Fashion-MNIST's 60,000 x 28 x 28 is 47 MB,
    /// CIFAR's 50,000 x 3 x 32 x 32 is 154 MB) stays in memory, where it is fastest and byte-identical to before; an
    /// ImageNet-sized import (1.28M x 3 x 192 x 192 = 142 GB, or 15.7 GB even at 64 px) goes to the store, and so
    /// does anything above about 2,300 images at 192 px, so an import's peak memory stops growing there.
    /// docs/data.md "Out-of-core sets".
    /// </summary>
    public const long DefaultInMemoryLimit = 256L << 20;

    /// <summary>Where an out-of-core import writes its store; set by the decoded-set cache to a folder inside the cache entry.</summary>
    internal string? StoreFolder { get; init; }

    /// <summary>50 megapixels: larger than any photo a classifier needs, far below what exhausts memory (200 MB RGBA).</summary>
    public const long DefaultMaxImagePixels = 50_000_000;

    public static DataLoadOptions Default { get; } = new();

    internal ImageTransform EffectiveTransform => Transform ?? ImageTransform.AsIs;
    internal ParquetColumns EffectiveParquet => Parquet ?? new ParquetColumns();

    internal void Warn(string message)
    {
        if (OnWarning != null) OnWarning(message);
        else Console.Error.WriteLine($"selectbench: warning: {message}");
    }

    /// <summary>The part of the options that changes decoded content, for cache keys.</summary>
    internal string ContentKey()
    {
        var sb = new StringBuilder();
        sb.Append("policy=").Append(OnBadInput).Append(";t=").Append(EffectiveTransform.Key)
          .Append(";max=").Append(MaxImagePixels).Append(";pq=").Append(EffectiveParquet.ImageColumn).Append('|').Append(EffectiveParquet.LabelColumn)
          .Append(";cifar=").Append(CifarLabels).Append(";json=").Append(JsonLabelField);
        // Only a changed limit enters the key, so the cache keys of every existing set stay as they were.
        if (InMemoryLimit != DefaultInMemoryLimit) sb.Append(";mem=").Append(InMemoryLimit);
        if (LabelSet != null) sb.Append(";labels=").Append(string.Join('\u001f', LabelSet.Names)).Append('\u001e').Append(string.Join('\u001f', LabelSet.Ids));
        return sb.ToString();
    }
}

/// <summary>One input left out under <see cref="BadInputPolicy.Skip"/>: the item (file, shard member, row) and why.</summary>
public sealed record SkippedInput(string Item, string Reason)
{
    public override string ToString() => $"{Item}: {Reason}";
}

/// <summary>A loaded source: the images, what was skipped, and where it came from.</summary>
/// <param name="Images">The decoded set.</param>
/// <param name="Skipped">Inputs left out by the skip policy (empty under Fail).</param>
/// <param name="Description">The resolved source, e.g. "fashion-mnist:train (/usr/share/datasets/fashion-mnist)".</param>
/// <param name="CacheFolder">The ImageSetStore folder it was cached in or loaded from, if any.</param>
/// <param name="FromCache">True when the decoded set came from the cache.</param>
public sealed record DataLoadResult(
    ImageSet Images,
    IReadOnlyList<SkippedInput> Skipped,
    string Description,
    string? CacheFolder = null,
    bool FromCache = false);
