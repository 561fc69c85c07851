import Foundation
import Testing
import LeptonTensor
import LeptonData

@Suite struct TokenizerTests {
    @Test func splitsWordsLowerCasedWithApostrophesInside() {
        #expect(Tokenizer.words("It's GREAT, isn't it? 'Quoted' 42x -- ok") == ["it's", "great", "isn't", "it", "quoted", "42x", "ok"])
        #expect(Tokenizer.words("  ...  ") == [])
    }

    @Test func ordersTheVocabularyByFrequencyThenAlphabetically() {
        var tokenizer = Tokenizer()
        tokenizer.fit(["b a c", "c b", "c d", "e"])
        #expect(tokenizer.vocabulary == ["<pad>", "<unk>", "c", "b", "a", "d", "e"])
        #expect(tokenizer.size == 7)
        #expect(tokenizer.ids("C b zzz a") == [2, 3, 1, 4])
        var small = Tokenizer(maximumVocabulary: 4)
        small.fit(["b a c", "c b", "c d", "e"])
        #expect(small.vocabulary == ["<pad>", "<unk>", "c", "b"])
        #expect(small.ids("a b c d") == [1, 3, 2, 1])
        // Refitting replaces the vocabulary.
        small.fit(["zebra"])
        #expect(small.vocabulary == ["<pad>", "<unk>", "zebra"])
        #expect(small.ids("c zebra") == [1, 2])
    }

    @Test func padsAndTruncatesOnEitherSide() {
        var tokenizer = Tokenizer()
        tokenizer.fit(["one two three four five"])   // ties: alphabetical
        #expect(tokenizer.vocabulary == ["<pad>", "<unk>", "five", "four", "one", "three", "two"])
        let texts = ["one two three four five", "two", ""]
        let pre = tokenizer.encode(texts, length: 3)
        #expect(pre.shape == [3, 3] && pre.dtype == .int32)
        #expect(pre.int32Scalars == [5, 3, 2, /**/ 0, 0, 6, /**/ 0, 0, 0])
        let post = tokenizer.encode(texts, length: 3, padding: .post, truncating: .post)
        #expect(post.int32Scalars == [4, 6, 5, /**/ 6, 0, 0, /**/ 0, 0, 0])
        let mixed = tokenizer.encode(["one two three four five", "unknown two"], length: 4, padding: .post, truncating: .pre)
        #expect(mixed.int32Scalars == [6, 5, 3, 2, /**/ 1, 6, 0, 0])
    }

    @Test func survivesACodableRoundTrip() throws {
        var tokenizer = Tokenizer(maximumVocabulary: 50)
        tokenizer.fit(["the cat sat on the mat", "the dog"])
        let data = try JSONEncoder().encode(tokenizer)
        let decoded = try JSONDecoder().decode(Tokenizer.self, from: data)
        #expect(decoded.maximumVocabulary == 50)
        #expect(decoded.vocabulary == tokenizer.vocabulary)
        let text = ["the dog sat on a mat"]
        #expect(decoded.encode(text, length: 8).int32Scalars == tokenizer.encode(text, length: 8).int32Scalars)
        let unlimited = try JSONDecoder().decode(Tokenizer.self, from: try JSONEncoder().encode(Tokenizer()))
        #expect(unlimited.maximumVocabulary == nil && unlimited.vocabulary == ["<pad>", "<unk>"])
    }
}
