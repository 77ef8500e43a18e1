using System.Globalization;
using SelectBench.Curation.Generators;
using SelectBench.Data;
using SkiaSharp;

namespace SelectBench.Worlds.FashionMnistPlus;

/// <summary>Random transforms of the distractor glyphs.</summary>
/// <param name="Size">Image side in pixels (Fashion-MNIST: 28).</param>
/// <param name="Alphabet">Characters drawn: letters, digits, symbols.</param>
/// <param name="MaxCharacters">Each image shows 1..MaxCharacters characters (a letter, or a snippet of text).</param>
/// <param name="MaxRotationDegrees">Rotation drawn uniformly from [-max, max].</param>
/// <param name="MinScale">Smallest text height as a fraction of the side.</param>
/// <param name="MaxScale">Largest text height as a fraction of the side.</param>
/// <param name="MaxShift">Translation drawn uniformly from [-max, max] pixels on each axis.</param>
/// <param name="OutlineProbability">Chance of drawing outlines (1-2 px strokes) instead of filled glyphs.</param>
/// <param name="InvertProbability">Chance of a dark glyph on a light ground.</param>
public sealed record GlyphDistractorSettings(
    int Size = 28,
    string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789#$%&@*+?!=<>/{}[]()~^",
    int MaxCharacters = 3,
    float MaxRotationDegrees = 40,
    float MinScale = 0.45f,
    float MaxScale = 0.95f,
    float MaxShift = 4,
    double OutlineProbability = 0.25,
    double InvertProbability = 0.2);

/// <summary>Where the distractors' shapes come from.</summary>
public enum GlyphSource
{
    /// <summary>Font files found on the machine (or given).</summary>
    Fonts,
    /// <summary>No usable font file: SkiaSharp's default typeface.</summary>
    DefaultTypeface,
    /// <summary>No typeface can draw text: circles, squares, triangles, crosses, rings and bars.</summary>
    Shapes,
}

/// <summary>
/// SIMULATION of the irrelevant images of a web crawl (docs/world.md): letters, digits and symbols rendered
/// with SkiaSharp from the fonts on the machine under random rotation, scale, stretch, shift, outline and
/// polarity, as 1 x Size x Size grey images. They belong to no class: provenance TrueLabel is
/// <see cref="SampleProvenance.NotAClass"/> and Simulated is true. Without fonts it falls back to SkiaSharp's
/// default typeface, and without any typeface that can draw letters to geometric shapes, with a warning.
/// </summary>
public sealed class GlyphDistractors : IDisposable
{
    public const string SourceName = "distractor:glyph";
    private readonly List<LoadedFont> _fonts;
    private readonly SKTypeface? _defaultTypeface;

    public GlyphDistractorSettings Settings { get; }
    public GlyphSource Source { get; }
    public IReadOnlyList<string> FontFiles => _fonts.Select(f => f.File).ToList();

    /// <param name="fontFiles">Font files to use; null finds the machine's fonts (<see cref="FontCatalog.FindFontFiles"/>).</param>
    /// <param name="settings">Transform ranges.</param>
    /// <param name="allowDefaultTypeface">Whether to try SkiaSharp's default typeface before falling back to shapes.</param>
    /// <param name="warn">Receives fallback warnings; default: standard error.</param>
    public GlyphDistractors(IReadOnlyList<string>? fontFiles = null, GlyphDistractorSettings? settings = null,
                            bool allowDefaultTypeface = true, Action<string>? warn = null)
    {
        Settings = settings ?? new GlyphDistractorSettings();
        warn ??= m => Console.Error.WriteLine($"warning: {m}");
        _fonts = FontCatalog.Load(fontFiles ?? FontCatalog.FindFontFiles(), "Aa0", warn);
        if (_fonts.Count > 0)
        {
            Source = GlyphSource.Fonts;
            return;
        }
        if (allowDefaultTypeface && GlyphRasterizer.HasGlyphs(SKTypeface.Default, "Aa0"))
        {
            _defaultTypeface = SKTypeface.Default;
            Source = GlyphSource.DefaultTypeface;
            warn("no usable font files found; glyph distractors use SkiaSharp's default typeface (install e.g. fonts-dejavu-core for more variety).");
            return;
        }
        Source = GlyphSource.Shapes;
        warn("no typeface can draw letters; glyph distractors are drawn geometric shapes instead (install e.g. fonts-dejavu-core).");
    }

    /// <summary>
    /// Renders <paramref name="count"/> distractors, labelled <paramref name="placeholderLabel"/> of
    /// <paramref name="labelSet"/> (the label carries no meaning: TrueLabel says not-a-class). Image i depends
    /// only on (seed, i) and the font list.
    /// </summary>
    public ImageSet Render(int count, LabelSet labelSet, long seed, int placeholderLabel = 0, string idPrefix = "glyph")
    {
        int size = Settings.Size, area = size * size;
        var pixels = new byte[(long)count * area];
        var ids = new string[count];
        var provenance = new SampleProvenance[count];
        for (int i = 0; i < count; i++)
        {
            var rng = new Random(unchecked((int)SampleSeeds.Mix(seed, 0x676C79, i)));
            var style = RandomStyle(rng, Settings);
            var target = pixels.AsSpan(i * area, area);
            string note;
            if (Source == GlyphSource.Shapes)
            {
                int kind = rng.Next(GlyphRasterizer.ShapeKinds);
                GlyphRasterizer.RenderShape(kind, style, size, target);
                note = $"simulated web-crawl distractor: shape {GlyphRasterizer.ShapeNames[kind]}";
            }
            else
            {
                SKTypeface typeface = _defaultTypeface!;
                string fontName = "default typeface";
                if (Source == GlyphSource.Fonts)
                {
                    var font = _fonts[rng.Next(_fonts.Count)];
                    (typeface, fontName) = (font.Typeface, font.Name);
                }
                var text = RandomText(rng, typeface);
                // Longer snippets are drawn smaller so they still fit.
                style = style with { Scale = style.Scale / MathF.Sqrt(text.Length) };
                GlyphRasterizer.RenderText(typeface, text, style, size, target);
                note = $"simulated web-crawl distractor: '{text}' in {fontName}";
            }
            ids[i] = string.Create(CultureInfo.InvariantCulture, $"{idPrefix}-{seed}-{i:D6}");
            provenance[i] = new SampleProvenance(SourceName, ids[i], TrueLabel: SampleProvenance.NotAClass,
                Simulated: true, Note: note);
        }
        var labels = new int[count];
        Array.Fill(labels, placeholderLabel);
        return new ImageSet(pixels, labels, labelSet, 1, size, size, ids, provenance);
    }

    private string RandomText(Random rng, SKTypeface typeface)
    {
        int length = 1 + rng.Next(Math.Max(1, Settings.MaxCharacters));
        var chars = new char[length];
        for (int k = 0; k < length; k++)
        {
            // A symbol the font lacks would draw as an empty box: fall back to a letter it has.
            char ch = Settings.Alphabet[rng.Next(Settings.Alphabet.Length)];
            chars[k] = GlyphRasterizer.HasGlyphs(typeface, ch.ToString()) ? ch : 'A';
        }
        return new string(chars);
    }

    internal static GlyphStyle RandomStyle(Random rng, GlyphDistractorSettings s)
    {
        float Uniform(float lo, float hi) => lo + (float)rng.NextDouble() * (hi - lo);
        bool outline = rng.NextDouble() < s.OutlineProbability;
        return new GlyphStyle(
            RotationDegrees: Uniform(-s.MaxRotationDegrees, s.MaxRotationDegrees),
            Scale: Uniform(s.MinScale, s.MaxScale),
            Stretch: Uniform(0.75f, 1.25f),
            ShiftX: Uniform(-s.MaxShift, s.MaxShift),
            ShiftY: Uniform(-s.MaxShift, s.MaxShift),
            StrokeWidth: outline ? Uniform(1f, 2f) : 0,
            Inverted: rng.NextDouble() < s.InvertProbability,
            Intensity: (byte)rng.Next(140, 256));
    }

    public void Dispose()
    {
        foreach (var f in _fonts) f.Typeface.Dispose();
        _fonts.Clear();
    }
}
