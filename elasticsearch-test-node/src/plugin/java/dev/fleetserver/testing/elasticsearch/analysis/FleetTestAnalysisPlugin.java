package dev.fleetserver.testing.elasticsearch.analysis;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.email.UAX29URLEmailTokenizer;
import org.apache.lucene.analysis.miscellaneous.RemoveDuplicatesTokenFilter;
import org.apache.lucene.analysis.pattern.PatternCaptureGroupTokenFilter;
import org.elasticsearch.index.analysis.AbstractTokenFilterFactory;
import org.elasticsearch.index.analysis.AbstractTokenizerFactory;
import org.elasticsearch.index.analysis.TokenFilterFactory;
import org.elasticsearch.index.analysis.TokenizerFactory;
import org.elasticsearch.indices.analysis.AnalysisModule.AnalysisProvider;
import org.elasticsearch.plugins.AnalysisPlugin;
import org.elasticsearch.plugins.Plugin;

/**
 * Registers the three analysis components that the security index ({@code .security-7}) needs.
 *
 * <p>Why this exists: the minimal {@code integ-test-zip} distribution from Maven Central ships
 * without the {@code analysis-common} module, but the settings of the security index use its
 * {@code pattern_capture} and {@code unique} token filters and its {@code uax_url_email} tokenizer.
 * Without them every write to the security index (API keys, native users and roles, index-backed
 * service tokens) fails with "Unknown filter type [pattern_capture]". The Lucene classes behind
 * these components are in the zip already ({@code lucene-analysis-common}); this plugin only wires
 * them up under the names {@code analysis-common} would use. It is for test nodes only.
 */
public class FleetTestAnalysisPlugin extends Plugin implements AnalysisPlugin {

    @Override
    public Map<String, AnalysisProvider<TokenFilterFactory>> getTokenFilters() {
        return Map.of(
                "pattern_capture",
                AnalysisPlugin.requiresAnalysisSettings((indexSettings, environment, name, settings) -> {
                    boolean preserveOriginal = settings.getAsBoolean("preserve_original", true);
                    Pattern[] patterns = settings.getAsList("patterns", List.of()).stream()
                            .map(Pattern::compile)
                            .toArray(Pattern[]::new);
                    return new AbstractTokenFilterFactory(name) {
                        @Override
                        public TokenStream create(TokenStream in) {
                            return new PatternCaptureGroupTokenFilter(in, preserveOriginal, patterns);
                        }
                    };
                }),
                // only_on_same_position is ignored: Lucene's filter always works per position,
                // which is what the security index asks for.
                "unique",
                (indexSettings, environment, name, settings) -> new AbstractTokenFilterFactory(name) {
                    @Override
                    public TokenStream create(TokenStream in) {
                        return new RemoveDuplicatesTokenFilter(in);
                    }
                });
    }

    @Override
    public Map<String, AnalysisProvider<TokenizerFactory>> getTokenizers() {
        return Map.of("uax_url_email", (indexSettings, environment, name, settings) -> {
            int maxTokenLength = settings.getAsInt("max_token_length", 255);
            return new AbstractTokenizerFactory(name) {
                @Override
                public Tokenizer create() {
                    UAX29URLEmailTokenizer tokenizer = new UAX29URLEmailTokenizer();
                    tokenizer.setMaxTokenLength(maxTokenLength);
                    return tokenizer;
                }
            };
        });
    }
}
