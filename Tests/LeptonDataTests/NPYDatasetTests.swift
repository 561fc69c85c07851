import Foundation
import Testing
import LeptonTensor
import LeptonData

/// `.npy` files mapped and read a batch at a time: batches equal the in-memory reader's rows
/// (files written by NumPy), through a prefetching loader too, and hostile files refused at `init`.
@Suite struct NPYDatasetTests {
    static let writer = """
    import sys, numpy as np
    d = sys.argv[1]
    r = np.random.default_rng(3)
    np.save(d + '/x_f32.npy', r.normal(size=(50, 4, 3, 1)).astype(np.float32))
    np.save(d + '/x_u8.npy', r.integers(0, 256, size=(50, 7), dtype=np.uint8))
    np.save(d + '/x_f64.npy', r.normal(size=(50, 2)))
    np.save(d + '/x_i64.npy', r.integers(0, 1000, size=(50, 5), dtype=np.int64))
    np.save(d + '/y_i64.npy', r.integers(0, 10, size=50, dtype=np.int64))
    np.save(d + '/y_i32.npy', r.integers(-5, 5, size=(50, 1), dtype=np.int32))
    np.save(d + '/y_f32.npy', r.normal(size=(50, 2)).astype(np.float32))
    np.save(d + '/y_short.npy', np.zeros(49, dtype=np.int64))
    big = np.zeros(50, dtype=np.int64); big[7] = 2**40
    np.save(d + '/y_big.npy', big)
    np.save(d + '/scalar.npy', np.float32(1))
    """

    func withFiles(_ body: (URL) throws -> Void) throws {
        let dir = try makeTemporaryDirectory("npydataset")
        defer { try? FileManager.default.removeItem(at: dir) }
        try runPython(Self.writer, [dir.path])
        try body(dir)
    }

    /// The rows `indices` of an array read whole by ``NPYReader``, as float32 or int32 values.
    func rows(_ url: URL, _ indices: [Int]) throws -> Tensor {
        try NPYReader.read(url).indexSelect(axis: 0, Tensor(indices: indices))
    }

    /// Resident budgets: 1 byte reads scattered rows with `pread` and drops the mapping before
    /// every region; 4 KiB copies from the mapping and drops it often; the default never drops.
    static let budgets = [1, 4096, 128 << 20]

    @Test(arguments: budgets)
    func batchesEqualTheInMemoryReadersRows(budget: Int) throws {
        try withFiles { dir in
            let order = [3, 49, 0, 17, 18, 19, 3]
            for (xName, yName) in [("x_f32", "y_i64"), ("x_u8", "y_i32"), ("x_f64", "y_f32"), ("x_i64", "y_i64")] {
                let x = dir.appendingPathComponent(xName + ".npy"), y = dir.appendingPathComponent(yName + ".npy")
                let data = try NPYDataset(x: x, y: y, residentBudget: budget)
                #expect(data.count == 50)
                let batch = try data.batch(order)
                let expectedX = try rows(x, order), expectedY = try rows(y, order)
                #expect(batch[0].shape == expectedX.shape && batch[1].shape == expectedY.shape)
                #expect(batch[0].scalars == expectedX.scalars, "\(xName)")
                #expect(batch[1].dtype == expectedY.dtype && batch[1].scalars == expectedY.scalars, "\(yName)")
                let one = try data.sample(at: 17), row = try rows(x, [17])
                #expect(one[0].shape == Array(expectedX.shape.dropFirst()) && one[0].scalars == row.scalars)
                let run = try data.batch(Array(10..<30))   // consecutive rows come from the mapping
                let runX = try rows(x, Array(10..<30)), runY = try rows(y, Array(10..<30))
                #expect(run[0].scalars == runX.scalars && run[1].scalars == runY.scalars)
            }
            // uint8 features are float32 pixel values 0–255; int64 ids stay integers.
            let pixels = try NPYDataset(x: dir.appendingPathComponent("x_u8.npy"), y: dir.appendingPathComponent("y_i64.npy"))
            #expect(pixels.dtypes == [.float32, .int32] && pixels.sampleShapes == [[7], []])
            #expect(try NPYDataset(x: dir.appendingPathComponent("x_i64.npy")).dtypes == [.int32])
        }
    }

    @Test(arguments: budgets)
    func aShufflingPrefetchingLoaderSeesEverySampleOnce(budget: Int) throws {
        try withFiles { dir in
            let x = dir.appendingPathComponent("x_f32.npy"), y = dir.appendingPathComponent("y_i64.npy")
            let data = try NPYDataset(x: x, y: y, residentBudget: budget)
            let memory = try TensorDataset(NPYReader.read(x), NPYReader.read(y))
            let loader = DataLoader(data, batchSize: 8, shuffle: true, prefetch: 3, seed: 5)
            let reference = DataLoader(memory, batchSize: 8, shuffle: true, prefetch: 0, seed: 5)
            for epoch in 0..<3 {
                var seen = 0
                let batches = loader.batches(epoch: epoch)
                for (mapped, inMemory) in zip(batches, reference.batches(epoch: epoch)) {
                    #expect(mapped[0].scalars == inMemory[0].scalars && mapped[1].int32Scalars == inMemory[1].int32Scalars)
                    seen += mapped[0].shape[0]
                }
                try batches.rethrowError()
                #expect(seen == 50)
            }
        }
    }

    @Test func badIndicesAndLabelsAreErrors() throws {
        try withFiles { dir in
            let data = try NPYDataset(x: dir.appendingPathComponent("x_f32.npy"), y: dir.appendingPathComponent("y_big.npy"))
            #expect(dataError { _ = try data.batch([1, 50]) }?.message == "row 50 is out of range 0..<50")
            #expect(throws: DataError.self) { try data.sample(at: -1) }
            #expect(try data.batch([6, 8])[1].int32Scalars == [0, 0])
            let big = dataError { _ = try data.batch([6, 7]) }
            #expect(big?.message.contains("int64 element 7 does not fit in int32") == true, "\(String(describing: big))")
            #expect(big?.source == "y_big.npy")
        }
    }

    @Test func hostileFilesAreRefusedWhenMapped() throws {
        try withFiles { dir in
            let x = dir.appendingPathComponent("x_f32.npy")
            let short = dataError { _ = try NPYDataset(x: x, y: dir.appendingPathComponent("y_short.npy")) }
            #expect(short?.message == "x_f32.npy holds 50 samples but y_short.npy holds 49")
            let scalar = dataError { _ = try NPYDataset(x: dir.appendingPathComponent("scalar.npy")) }
            #expect(scalar?.message.contains("0-dimensional") == true)
            #expect(dataError { _ = try NPYDataset(x: dir.appendingPathComponent("missing.npy")) }?.message.contains("cannot open") == true)
            #expect(dataError { _ = try NPYDataset(x: dir) }?.message.contains("not a regular file") == true)
            // Truncated: the header promises more rows than the file holds.
            let whole = try Data(contentsOf: x)
            let truncated = dir.appendingPathComponent("truncated.npy")
            try whole.dropLast(12).write(to: truncated)
            let cut = dataError { _ = try NPYDataset(x: truncated) }
            #expect(cut?.message == "shape [50, 4, 3, 1] of <f4 needs 2400 bytes of data, the file holds 2388", "\(String(describing: cut))")
            // Lying: a shape whose product overflows, and one claiming far more rows.
            for (shape, expected) in [("(4611686018427387904, 784)", "more elements than can be addressed"),
                                      ("(1000000000, 784)", "needs 3136000000000 bytes of data, the file holds 4")] {
                let lying = dir.appendingPathComponent("lying.npy")
                try NPYHeaderTests.file("{'descr': '<f4', 'fortran_order': False, 'shape': \(shape), }", data: [0, 0, 0, 0]).write(to: lying)
                let error = dataError { _ = try NPYDataset(x: lying) }
                #expect(error?.message.contains(expected) == true, "\(shape): \(String(describing: error))")
            }
            let empty = dir.appendingPathComponent("empty.npy")
            try Data().write(to: empty)
            #expect(dataError { _ = try NPYDataset(x: empty) }?.message.contains("empty") == true)
        }
    }
}
