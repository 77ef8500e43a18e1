using System.Globalization;
using SkiaSharp;

namespace SelectBench.Worlds.FashionMnistPlus;

/// <summary>How one glyph (or fallback shape) is drawn: a random similarity transform, fill or outline, polarity.</summary>
/// <param name="RotationDegrees">Rotation about the image centre.</param>
/// <param name="Scale">Text height as a fraction of the image side.</param>
/// <param name="Stretch">Horizontal scale relative to vertical (1 = undistorted).</param>
/// <param name="ShiftX">Horizontal translation in pixels.</param>
/// <param name="ShiftY">Vertical translation in pixels.</param>
/// <param name="StrokeWidth">0 draws filled glyphs; above 0 draws outlines of this width.</param>
/// <param name="Inverted">Dark glyph on a light ground instead of Fashion-MNIST's light on dark.</param>
/// <param name="Intensity">Grey level of the glyph on a black ground (inverted: 255 minus it on white).</param>
internal sealed record GlyphStyle(float RotationDegrees, float Scale, float Stretch, float ShiftX, float ShiftY,
                                  float StrokeWidth, bool Inverted, byte Intensity)
{
    /// <summary>An upright, centred, filled, full-intensity glyph.</summary>
    public static GlyphStyle Plain { get; } = new(0, 0.75f, 1, 0, 0, 0, false, 255);
}

/// <summary>Draws text or simple shapes into small square grey images with SkiaSharp.</summary>
internal static class GlyphRasterizer
{
    public const int ShapeKinds = 6;
    public static readonly string[] ShapeNames = ["circle", "square", "triangle", "cross", "ring", "bar"];

    /// <summary>True when the typeface has a glyph for every character of <paramref name="text"/>.</summary>
    public static bool HasGlyphs(SKTypeface typeface, string text)
    {
        using var font = new SKFont(typeface, 12);
        return font.GetGlyphs(text).All(g => g != 0);
    }

    public static void RenderText(SKTypeface typeface, string text, GlyphStyle style, int size, Span<byte> target) =>
        Render(style, size, target, (canvas, paint) =>
        {
            using var font = new SKFont(typeface, style.Scale * size) { Edging = SKFontEdging.Antialias, Subpixel = true };
            font.MeasureText(text, out var bounds, paint);
            // Centre the ink box (not the advance box) so every glyph sits in the middle before the shift.
            canvas.DrawText(text, -bounds.MidX, -bounds.MidY, SKTextAlign.Left, font, paint);
        });

    public static void RenderShape(int kind, GlyphStyle style, int size, Span<byte> target) =>
        Render(style, size, target, (canvas, paint) =>
        {
            float r = style.Scale * size / 2;
            switch (kind)
            {
                case 0: canvas.DrawCircle(0, 0, r, paint); break;
                case 1: canvas.DrawRect(-r, -r, 2 * r, 2 * r, paint); break;
                case 2:
                    using (var path = SKPath.ParseSvgPathData(string.Create(CultureInfo.InvariantCulture, $"M0,{-r} L{r},{r} L{-r},{r} Z")))
                        canvas.DrawPath(path, paint);
                    break;
                case 3:
                    canvas.DrawRect(-r, -r / 4, 2 * r, r / 2, paint);
                    canvas.DrawRect(-r / 4, -r, r / 2, 2 * r, paint);
                    break;
                case 4:
                    using (var ring = paint.Clone())
                    {
                        ring.Style = SKPaintStyle.Stroke;
                        ring.StrokeWidth = Math.Max(1.5f, r / 3);
                        canvas.DrawCircle(0, 0, r * 0.8f, ring);
                    }
                    break;
                default: canvas.DrawRect(-r, -r / 6, 2 * r, r / 3, paint); break;
            }
        });

    private static void Render(GlyphStyle style, int size, Span<byte> target, Action<SKCanvas, SKPaint> draw)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(size, size, SKColorType.Rgba8888, SKAlphaType.Premul));
        using (var canvas = new SKCanvas(bitmap))
        using (var paint = new SKPaint())
        {
            byte ground = style.Inverted ? (byte)255 : (byte)0;
            byte ink = style.Inverted ? (byte)(255 - style.Intensity) : style.Intensity;
            canvas.Clear(new SKColor(ground, ground, ground));
            paint.IsAntialias = true;
            paint.Color = new SKColor(ink, ink, ink);
            paint.Style = style.StrokeWidth > 0 ? SKPaintStyle.Stroke : SKPaintStyle.Fill;
            paint.StrokeWidth = style.StrokeWidth;
            canvas.Translate(size / 2f + style.ShiftX, size / 2f + style.ShiftY);
            canvas.RotateDegrees(style.RotationDegrees);
            canvas.Scale(style.Stretch, 1);
            draw(canvas, paint);
        }
        // Drawn in grey on an opaque ground, so R = G = B: the red byte is the grey level.
        var rgba = bitmap.GetPixelSpan();
        for (int p = 0; p < size * size; p++) target[p] = rgba[4 * p];
    }
}
