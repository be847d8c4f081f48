"""The small corpus the network tests count by hand (described in test_network_build.py)."""

CORPUS = """doi,title,year,fields,model,pattern,stages
10.5000/p1,Paper one,2018,Neuroscience; Chemistry,ResNet-50,Adaptation,Test; Analysis
10.5000/p1,Paper one,2018,Neuroscience; Chemistry,BERT,Deployment,Test
10.5000/p2,Paper two,2019,Neuroscience,ResNet-50,Adaptation,Test
10.5000/p2,Paper two,2019,Neuroscience,ResNet-50,Conceptual,Background
10.5000/p2,Paper two,2019,Neuroscience,BERT,Adaptation,Analysis
10.5000/p3,Paper three,2021,Chemistry,AlphaFold,Adaptation,Hypothesis
10.5000/p3,Paper three,2021,Chemistry,BERT,Adaptation,Hypothesis
10.5000/p4,Paper four,2022,Physics and Astronomy,AlphaFold,Deployment,Test
10.5000/p5,Paper five,,,U-Net,Conceptual,Observation
"""
