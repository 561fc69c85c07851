import Foundation
import Testing
import LeptonTensor
import LeptonData

@Suite struct TransformsTests {
    @Test func scalesAndStandardizes() throws {
        let bytes = Tensor(int32: [0, 51, 255], shape: [3])
        #expect(Preprocessing.scale(bytes).scalars == [0, 0.2, 1])
        #expect(Preprocessing.scale(Tensor([2, 4]), maximum: 4).scalars == [0.5, 1])
        let s = Preprocessing.standardize(Tensor([1, 3]), mean: 1, std: 2).scalars
        #expect(s == [0, 1])
        let x = Tensor(rows: [[1, 10], [2, 20], [3, 30], [4, 40]])
        let (z, mean, std) = Preprocessing.standardize(x)
        #expect(mean.shape == [1, 2] && mean.scalars == [2.5, 25])
        #expect(abs(std.scalars[0] - 1.118034) < 1e-5 && abs(std.scalars[1] - 11.18034) < 1e-4)
        let columns = z.mean(axes: [0]).scalars, spread = z.variance(axes: [0]).scalars
        #expect(columns.allSatisfy { abs($0) < 1e-6 } && spread.allSatisfy { abs($0 - 1) < 1e-5 })
        // A constant feature becomes zeros rather than NaN.
        let (flat, _, _) = Preprocessing.standardize(Tensor(rows: [[5, 1], [5, 2]]))
        #expect(flat.scalars[0] == 0 && flat.scalars[2] == 0 && flat.scalars.allSatisfy(\.isFinite))
    }

    @Test func toCategoricalMakesOneHotRowsAndRejectsBadLabels() throws {
        let onehot = try Preprocessing.toCategorical(Tensor(indices: [2, 0, 1]), classes: 3)
        #expect(onehot.shape == [3, 3] && onehot.scalars == [0, 0, 1, 1, 0, 0, 0, 1, 0])
        let high = #expect(throws: DataError.self) { try Preprocessing.toCategorical(Tensor(indices: [0, 3]), classes: 3) }
        #expect(high?.message == "toCategorical: label 3 at index 1 is out of range 0..<3")
        let negative = #expect(throws: DataError.self) { try Preprocessing.toCategorical(Tensor(indices: [-1]), classes: 3) }
        #expect(negative?.message.contains("label -1 at index 0") == true)
        let float = #expect(throws: DataError.self) { try Preprocessing.toCategorical(Tensor([1]), classes: 3) }
        #expect(float?.message.contains("must be int32") == true)
    }

    func images(_ n: Int = 3, _ h: Int = 5, _ w: Int = 4, _ c: Int = 2) -> Tensor {
        Tensor((0..<(n * h * w * c)).map { Float($0 % 97) + 1 }, shape: [n, h, w, c])
    }

    @Test func zeroParameterAugmentationIsTheIdentity() {
        var augment = ImageAugmentation(seed: 5)
        let x = images()
        #expect(augment(x).scalars == x.scalars)
    }

    @Test func flipMirrorsAKnownImage() {
        // With flips on, each sample is either unchanged or exactly mirrored left–right.
        let x = Tensor([1, 2, 3, 4, 5, 6], shape: [1, 2, 3, 1])
        var sawFlip = false, sawSame = false
        var augment = ImageAugmentation(horizontalFlip: true, seed: 1)
        for _ in 0..<20 {
            let y = augment(x).scalars
            if y == [3, 2, 1, 6, 5, 4] { sawFlip = true } else if y == [1, 2, 3, 4, 5, 6] { sawSame = true } else {
                Issue.record("neither the image nor its mirror: \(y)")
            }
        }
        #expect(sawFlip && sawSame)
    }

    @Test func augmentationKeepsShapesAndIsRepeatableBySeed() {
        let x = images(4, 8, 8, 3)
        var a = ImageAugmentation(cropPadding: 2, horizontalFlip: true, maxRotation: 15, maxShift: 0.1, seed: 42)
        var b = ImageAugmentation(cropPadding: 2, horizontalFlip: true, maxRotation: 15, maxShift: 0.1, seed: 42)
        var c = ImageAugmentation(cropPadding: 2, horizontalFlip: true, maxRotation: 15, maxShift: 0.1, seed: 43)
        let ya = a(x), yb = b(x), yc = c(x)
        #expect(ya.shape == x.shape && ya.dtype == .float32)
        #expect(ya.scalars == yb.scalars)
        #expect(ya.scalars != yc.scalars)
        #expect(ya.scalars != x.scalars)
        #expect(a(x).scalars != ya.scalars)   // the generator advances
        // Output pixels come from the input (nearest neighbour) or are zero padding.
        let inputs = Set(x.scalars)
        #expect(ya.scalars.allSatisfy { $0 == 0 || inputs.contains($0) })
        // Random crops of zero-padded images leave zero borders in some samples but not all pixels.
        var crop = ImageAugmentation(cropPadding: 1, seed: 7)
        let shifted = crop(Tensor.ones([16, 3, 3, 1]))
        #expect(shifted.shape == [16, 3, 3, 1])
        #expect(shifted.scalars.contains(0) && shifted.scalars.contains(1))
    }
}
