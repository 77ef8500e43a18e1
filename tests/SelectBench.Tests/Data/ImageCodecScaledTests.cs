using SelectBench.Data;

namespace SelectBench.Tests.Data;

public class ImageCodecScaledTests
{
    [Theory]
    // 400 x 300 JPEG: libjpeg-turbo scales by k/8 and rounds sides up, so k/8 of 300 must reach the request.
    [InlineData(300, 400, 300)]  // needs full size
    [InlineData(200, 300, 225)]  // 6/8 (5/8 gives 187.5 -> 188 < 200)
    [InlineData(150, 200, 150)]  // 4/8 exactly
    [InlineData(38, 50, 38)]     // 1/8: 37.5 rounds up to 38
    [InlineData(1000, 400, 300)] // larger than the image: full size, never upscaled
    public void JpegDecodesAtTheSmallestScaleCoveringTheRequest(int minShortSide, int width, int height)
    {
        var jpeg = Fixtures.Jpeg(300, 400, 200, 40, 90);
        var image = ImageCodec.DecodeScaled(jpeg, minShortSide);
        Assert.Equal((3, height, width), (image.Channels, image.Height, image.Width));
        Assert.InRange(image.Pixels[image.Height * image.Width / 2], 190, 210);
    }

    [Fact]
    public void PngCannotScaleAndDecodesAtFullSize()
    {
        var image = ImageCodec.DecodeScaled(Fixtures.Png(24, 40, 1, 2, 3), 6);
        Assert.Equal((24, 40), (image.Height, image.Width));
    }

    [Fact]
    public void ScaledTransformKeepsTheTransformsOutputSize()
    {
        var jpeg = Fixtures.Jpeg(300, 400, 200, 40, 90);
        var image = ImageCodec.DecodeScaled(jpeg, "x.jpg", ImageTransform.ResizeThenCenterCrop(73, 64), 1_000_000);
        Assert.Equal((3, 64, 64), (image.Channels, image.Height, image.Width));
        Assert.InRange(image.Pixels[0], 190, 210);
    }

    [Fact]
    public void DimensionsReadTheHeader() =>
        Assert.Equal((400, 300), ImageCodec.Dimensions(Fixtures.Jpeg(300, 400, 1, 2, 3), "x.jpg"));
}
