namespace SelectBench.Data;

/// <summary>
/// The per-channel RGB mean and standard deviation of ImageNet-1k train images in [0, 1], with which
/// torchvision's and timm's pretrained models normalise their input (torchvision.transforms.Normalize in every
/// torchvision classification reference recipe; timm's IMAGENET_DEFAULT_MEAN / IMAGENET_DEFAULT_STD).
/// </summary>
public static class ImageNetStatistics
{
    public static float[] Mean => [0.485f, 0.456f, 0.406f];
    public static float[] Std => [0.229f, 0.224f, 0.225f];
}
