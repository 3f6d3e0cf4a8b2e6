using System.Runtime.CompilerServices;

namespace ConvSharp;

/// <summary>Argument checks with messages that name the argument and the offending value.</summary>
internal static class Guard
{
    internal static void NotNull<T>([System.Diagnostics.CodeAnalysis.NotNull] T? value,
        [CallerArgumentExpression(nameof(value))] string? name = null) where T : class
    {
        if (value is null) throw new ArgumentNullException(name);
    }

    internal static void Positive(long value, [CallerArgumentExpression(nameof(value))] string? name = null)
    {
        if (value < 1) throw new ArgumentOutOfRangeException(name, value, $"{name} must be at least 1, but is {value}.");
    }

    internal static void NonNegative(long value, [CallerArgumentExpression(nameof(value))] string? name = null)
    {
        if (value < 0) throw new ArgumentOutOfRangeException(name, value, $"{name} must not be negative, but is {value}.");
    }

    internal static string NotNullString(string? value, [CallerArgumentExpression(nameof(value))] string? name = null) =>
        value ?? throw new ArgumentNullException(name);

    internal static Tensor NotNullTensor(Tensor? tensor, [CallerArgumentExpression(nameof(tensor))] string? name = null) =>
        tensor ?? throw new ArgumentNullException(name);

    internal static int[] NotNullShape(int[]? shape, [CallerArgumentExpression(nameof(shape))] string? name = null) =>
        shape ?? throw new ArgumentNullException(name);

    /// <summary>Checks that every dimension is at least 1 and returns the element count.</summary>
    internal static long Shape(ReadOnlySpan<int> shape, [CallerArgumentExpression(nameof(shape))] string? name = null)
    {
        if (shape.Length == 0) return 1;  // a scalar
        long count = 1;
        bool tooLarge = false;
        for (int i = 0; i < shape.Length; i++)
        {
            if (shape[i] < 1)
                throw new ArgumentException(
                    $"Shape {Format(shape)} has dimension {i} = {shape[i]}; every dimension must be at least 1.", name);
            // Once past one buffer's capacity the exact product no longer matters (and would overflow a long).
            if (!tooLarge) count *= shape[i];
            tooLarge |= count > Array.MaxLength;
        }
        if (tooLarge)
            throw new ArgumentException($"Shape {Format(shape)} holds {ElementCount(shape)} elements, more than one buffer can hold ({Array.MaxLength}).", name);
        return count;
    }

    /// <summary>The exact product of the dimensions, as text (it may exceed a long).</summary>
    internal static string ElementCount(ReadOnlySpan<int> shape)
    {
        System.Numerics.BigInteger product = 1;
        foreach (int d in shape) product *= d;
        return product.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>PyTorch's way of printing a shape: [2, 3, 5].</summary>
    internal static string Format(ReadOnlySpan<int> shape) => "[" + string.Join(", ", shape.ToArray()) + "]";
}
