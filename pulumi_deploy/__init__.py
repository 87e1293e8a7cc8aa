"""pulumi-deploy"""
