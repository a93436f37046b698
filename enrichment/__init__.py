"""Enrichment of articles: entities (config/kb), topics (config/topics.toml) and stories; pure."""

from enrichment.enricher import ArticleText, Enricher, Enrichment, story_article
from enrichment.kb import KnowledgeBase, KnowledgeBaseError
from enrichment.kb_loader import load_knowledge_base
from enrichment.linker import EntityLink
from enrichment.stories import StoryArticle, group_stories
from enrichment.topics import Taxonomy, TaxonomyError, TopicScore, load_taxonomy

__all__ = [
    "ArticleText", "EntityLink", "Enricher", "Enrichment", "KnowledgeBase",
    "KnowledgeBaseError", "StoryArticle", "Taxonomy", "TaxonomyError", "TopicScore",
    "group_stories", "load_knowledge_base", "load_taxonomy", "story_article",
]
