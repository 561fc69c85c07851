import LeptonTensor

/// Max or average pooling over images (`keras.layers.MaxPooling2D` / `AveragePooling2D`).
public class Pooling2D: Module {
    public let poolSize: [Int]
    public let strides: [Int]
    public let padding: PaddingMode
    public let dataFormat: DataFormat
    package let isMax: Bool

    init(isMax: Bool, poolSize: [Int], strides: [Int]?, padding: PaddingMode, dataFormat: DataFormat) {
        layerRequire(poolSize.count == 2 && (strides?.count ?? 2) == 2, "Pooling2D: poolSize and strides take two values")
        self.isMax = isMax
        self.poolSize = poolSize
        self.strides = strides ?? poolSize
        self.padding = padding
        self.dataFormat = dataFormat
    }

    public override func forward(_ input: Tensor) -> Tensor {
        layerRequire(input.rank == 4, "\(type(of: self)): expected a rank-4 image batch, got shape \(input.shape)")
        // Channels-last images are pooled in place by the NHWC kernels: no layout permutes.
        let last = dataFormat == .channelsLast
        let (hAxis, wAxis) = last ? (1, 2) : (2, 3)
        var x = input
        let (pt, pb) = padding.amounts(input: x.shape[hAxis], kernel: poolSize[0], stride: strides[0], dilation: 1)
        let (pl, pr) = padding.amounts(input: x.shape[wAxis], kernel: poolSize[1], stride: strides[1], dilation: 1)
        if pt + pb + pl + pr > 0 {
            let widths = last ? [(0, 0), (pt, pb), (pl, pr), (0, 0)] : [(0, 0), (0, 0), (pt, pb), (pl, pr)]
            // Keras's 'same' pooling ignores padded cells: −∞ for max; for average, divide by the valid count.
            if isMax {
                x = x.pad(widths, value: -.infinity)
            } else {
                let padded = x.pad(widths)
                let onesShape = last ? [1, x.shape[1], x.shape[2], 1] : [1, 1, x.shape[2], x.shape[3]]
                let ones = Tensor.ones(onesShape, backend: x.backend).pad(widths)
                return padded.avgPool2d(kernel: poolSize, stride: strides, channelsLast: last)
                    / ones.avgPool2d(kernel: poolSize, stride: strides, channelsLast: last)
            }
        }
        return isMax ? x.maxPool2d(kernel: poolSize, stride: strides, channelsLast: last)
            : x.avgPool2d(kernel: poolSize, stride: strides, channelsLast: last)
    }
}

/// Max pooling (`keras.layers.MaxPooling2D`).
public final class MaxPooling2D: Pooling2D {
    public init(poolSize: [Int] = [2, 2], strides: [Int]? = nil, padding: PaddingMode = .valid,
                dataFormat: DataFormat = .channelsLast) {
        super.init(isMax: true, poolSize: poolSize, strides: strides, padding: padding, dataFormat: dataFormat)
    }
}

/// Average pooling (`keras.layers.AveragePooling2D`).
public final class AveragePooling2D: Pooling2D {
    public init(poolSize: [Int] = [2, 2], strides: [Int]? = nil, padding: PaddingMode = .valid,
                dataFormat: DataFormat = .channelsLast) {
        super.init(isMax: false, poolSize: poolSize, strides: strides, padding: padding, dataFormat: dataFormat)
    }
}

/// Mean over the spatial axes: `[N, H, W, C]` → `[N, C]` (`keras.layers.GlobalAveragePooling2D`).
public final class GlobalAveragePooling2D: Module {
    public let dataFormat: DataFormat
    public init(dataFormat: DataFormat = .channelsLast) { self.dataFormat = dataFormat }
    public override func forward(_ input: Tensor) -> Tensor {
        layerRequire(input.rank == 4, "GlobalAveragePooling2D: expected a rank-4 image batch, got shape \(input.shape)")
        return input.mean(axes: dataFormat == .channelsLast ? [1, 2] : [2, 3])
    }
}
